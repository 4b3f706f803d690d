"""An individual's own fields, as both runtimes copy them from a request.

Copied as they are when the request carries a value; on update an absent, null or empty field
keeps the stored value, as upstream's processing (and `PUT /update_individual`) leaves out empty
values. Bulk onboarding in the addon and every write path of the standalone server use this list.
"""

INDIVIDUAL_FIELDS = (
    "name",
    "given_name",
    "family_name",
    "addl_name",
    "birthdate",
    "birth_place",
    "email",
    "address",
    "registration_date",
)
