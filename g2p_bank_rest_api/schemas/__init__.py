from . import group_membership, registrant
