"""Plain pydantic copies of assembled extendable request models, for validating many items.

extendable-pydantic makes every model instance pay for two private attributes the library keeps
on assembled classes, about ten microseconds per instance; an individual with an ID and a phone
is three instances, so the copy validates a bulk item in about half the time. The copy has the
same fields with the same annotations, constraints and validators (the `FieldInfo` objects are
reused), nested extendable models being replaced by their own copies; a model whose class holds
decorator validators is not copied and the assembled class is used as it is, so that no rule is
ever left out.
"""

import functools
import types
import typing
from typing import Annotated, Any, Union

from extendable_pydantic import ExtendableBaseModel
from pydantic import BaseModel, create_model


def _has_decorators(model: type[BaseModel]) -> bool:
    decorators = model.__pydantic_decorators__
    return any(
        getattr(decorators, kind)
        for kind in ("validators", "field_validators", "root_validators", "model_validators")
    ) or any(
        getattr(decorators, kind) for kind in ("field_serializers", "model_serializers", "computed_fields")
    )


def _swap(annotation: Any) -> Any:
    """The annotation with every extendable model in it replaced by its plain copy."""
    if isinstance(annotation, type) and issubclass(annotation, ExtendableBaseModel):
        return plain_copy(annotation._get_assembled_cls())
    origin = typing.get_origin(annotation)
    if origin is None:
        return annotation
    arguments = typing.get_args(annotation)
    if origin is Annotated:
        return Annotated[_swap(arguments[0]), *arguments[1:]]
    swapped = tuple(_swap(argument) for argument in arguments)
    if swapped == arguments:
        return annotation
    if origin in (Union, types.UnionType):
        return Union[swapped]  # noqa: UP007 - built from a tuple
    return origin[swapped] if len(swapped) > 1 else origin[swapped[0]]


@functools.cache
def plain_copy(model: type[BaseModel]) -> type[BaseModel]:
    """A plain pydantic model with ``model``'s fields (``model`` is returned when it cannot be
    copied faithfully)."""
    if _has_decorators(model):
        return model
    fields = {name: (_swap(field.annotation), field) for name, field in model.model_fields.items()}
    return create_model(  # type: ignore[call-overload]
        model.__name__, __config__=model.model_config, __doc__=model.__doc__, __module__=__name__, **fields
    )
