"""Relation fields limited to what the requesting user can see.

An id outside the user's visibility reads as "does not exist" (400), exactly
like an id that does not exist, so a request body never reveals a record.
"""

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
