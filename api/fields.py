"""Relation fields limited to what the requesting user can see.

An id outside the user's visibility reads as "does not exist" (400), exactly
like an id that does not exist, so a request body never reveals a record.
"""

from django.db import connection
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.base import acting_user
from iom import access
from iom.models import Case, Cohort, Person, User


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField[Case]):
    def get_queryset(self) -> QuerySet[Case]:
        return access.case_list_visible_to(user=acting_user(self.context["request"]))


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField[Person]):
    def get_queryset(self) -> QuerySet[Person]:
        return access.person_list_visible_to(user=acting_user(self.context["request"]))


@extend_schema_field(OpenApiTypes.STR)
class VisibleCohortField(serializers.SlugRelatedField[Cohort]):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", **kwargs)

    def get_queryset(self) -> QuerySet[Cohort]:
        return access.cohort_list_visible_to(user=acting_user(self.context["request"]))


@extend_schema_field(OpenApiTypes.STR)
class CaseworkerField(serializers.SlugRelatedField[User]):
    """A user named by username; the services check that their role fits where they are named."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", queryset=User.objects.filter(is_active=True), **kwargs)


class RowIdField(serializers.IntegerField):
    """The id of a row: a whole number from 1 to the largest an id column holds. A larger one is a 400 naming the
    field, not a query the database cannot run (SQLite's driver overflows on it: a 500)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", connection.ops.integer_field_range("BigAutoField")[1])
        super().__init__(**kwargs)
