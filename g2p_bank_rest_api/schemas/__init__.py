from . import registrant
from . import group_membership
