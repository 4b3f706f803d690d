from . import models, schemas
