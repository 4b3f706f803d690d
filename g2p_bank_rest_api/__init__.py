from . import models
from . import schemas
