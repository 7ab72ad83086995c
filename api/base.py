"""Shared pieces of the API views: the signed-in user, the rows a selector lets them see, strict query parameters
and bodies, optimistic-lock versions, list auditing."""

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models import F, QuerySet
from django.http import Http404
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import RulePermission
from iom import selectors
from iom.models import Action, CaseNote, PathwayAssessment, User
from outcomes.models import Intervention

PAGING_PARAMS = frozenset({"page", "page_size", "format"})
# The methods of a viewset that edits in part only: PATCH with the version read, never PUT; nothing is deleted.
READ_CREATE_PATCH = ("get", "post", "patch", "head", "options")

_Model = TypeVar("_Model", bound=models.Model)


def acting_user(request: Request) -> User:
    """The signed-in user an API request acts as: what views hand to selectors and services.

    ``RulePermission`` lets only signed-in, active users reach a view (``TokenView``, open to all, never asks),
    so this narrows ``request.user`` once, here, instead of at each call. An anonymous user reaching it would be
    a view without that permission: refused as not signed in (401), never served as someone.
    """
    user = request.user
    if isinstance(user, User):
        return user
    raise NotAuthenticated()


def building_schema(view: APIView) -> bool:
    """Whether ``view`` is the stand-in the OpenAPI generator makes: its request has no signed-in user.

    A ``get_queryset`` answers such a view with an empty queryset of its model (all the generator reads)
    instead of asking a selector about nobody.
    """
    return bool(getattr(view, "swagger_fake_view", False))


def validated(
    serializer_class: type[serializers.Serializer], data: Any, *, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``data`` (a body or query parameters) validated by ``serializer_class``, or a 400 with field errors.

    Fields the endpoint does not take are refused too: see ``StrictFieldsMixin``. Pass ``context`` when a field
    needs the request (the ``Visible…Field`` relations do).
    """
    serializer = serializer_class(data=data, context=context or {})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class VisibleRowsMixin(GenericAPIView[_Model]):
    # A viewset's rows are what its resource's selector lets the signed-in user see: the viewset names its
    # ``model`` and says in ``visible_to`` which selector to ask (with any prefetching or annotation its serializer
    # needs). The OpenAPI generator's stand-in view (``building_schema``) gets an empty queryset of the model
    # instead, which is all the generator reads. (A comment, not a docstring: the schema would show a docstring
    # as the description of every view without one of its own.)
    model: type[_Model]

    def get_queryset(self) -> QuerySet[_Model]:
        if building_schema(self):
            return self.model._default_manager.none()
        return self.visible_to(acting_user(self.request))

    def visible_to(self, user: User) -> QuerySet[_Model]:
        raise NotImplementedError(f"{type(self).__name__} does not say which selector gives its rows.")


class StrictQueryParamsMixin(APIView):
    # Unknown query parameters are a 400 with field errors, not silently ignored (docs/roles.md).

    permission_classes = [RulePermission]
    lookup_value_regex = "[0-9]+"
    extra_query_params: ClassVar[frozenset[str]] = frozenset()

    def allowed_query_params(self) -> set[str]:
        # ``page`` and ``page_size`` only where there are pages (an action may say ``pagination_class=None``).
        paging = PAGING_PARAMS if getattr(self, "pagination_class", None) is not None else {"format"}
        allowed = set(paging) | set(self.extra_query_params)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        allowed |= set(getattr(self, "filterset_fields", None) or ())
        if getattr(self, "ordering_fields", None):
            allowed.add("ordering")
        return allowed

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # DRF answers an unknown ?format= with a 404; here it is a malformed parameter, reported (as a 400) once the
        # user is known, like every other parameter. An unknown suffix in the path (``people/1.5/``) names no
        # resource and stays a 404.
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:
            if self.format_kwarg is not None:
                raise
            self.unknown_format = True
            return JSONRenderer(), JSONRenderer.media_type

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if getattr(self, "unknown_format", False):
            formats = " or ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [f"Choose {formats}."]})
        if request.method == "GET":
            unknown = sorted(set(request.query_params) - self.allowed_query_params())
            if unknown:
                raise ValidationError({name: ["Unknown query parameter."] for name in unknown})


class ReadCreateViewSet(
    StrictQueryParamsMixin,
    VisibleRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # List, read and create; edits are explicit actions or ``partial_update`` with a version, per resource.
    pass


# The annotation that carries each listed row's person id to the list's audit.
_LISTED_PERSON = "audit_listed_person_id"


class AuditedListMixin(mixins.ListModelMixin, GenericAPIView[Any]):
    # Record each list or search with its query, as s.62 asks for consultation, naming the people the page shows:
    # ``audit_person`` is the path from a row to its person's id, read in the page's own query (an annotation), so
    # the audit costs no query per row. A page about one person (``?case=2``) is one row naming them; a page about
    # several, one row per person (iom.selectors.audit_list_query).
    audit_resource: ClassVar[str] = ""
    audit_person: ClassVar[str] = ""
    listed_people: set[int]

    def paginate_queryset(self, queryset: QuerySet[Any]) -> list[Any] | None:
        if self.audit_person:
            queryset = queryset.annotate(**{_LISTED_PERSON: F(self.audit_person)})
        page = super().paginate_queryset(queryset)
        self.listed_people = {getattr(row, _LISTED_PERSON) for row in page or ()} - {None}
        return page

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            self.audit_list(request)
        return response

    def audit_list(self, request: Request) -> None:
        """The audit row(s) of the page just listed (a view with a list of its own calls this after paging)."""
        selectors.audit_list_query(
            user=acting_user(request),
            action=self.audit_resource,
            query=dict(request.query_params.lists()),
            people=getattr(self, "listed_people", ()),
        )


# What hangs off a case and is audited when read one at a time.
_CaseContent = TypeVar("_CaseContent", bound=PathwayAssessment | Action | CaseNote | Intervention)


class AuditedCaseContentMixin(GenericAPIView[_CaseContent]):
    # Reading one note, action or assessment is a consultation of the person's record: audit it.
    def get_object(self) -> _CaseContent:
        obj = super().get_object()
        selectors.record_view(user=acting_user(self.request), obj=obj, person_id=obj.case.person_id)
        return obj


UNKNOWN_FIELD = "This endpoint does not take this field."
READ_ONLY_FIELD = "This field is read-only: it cannot be set here."


class StrictFieldsMixin(serializers.Serializer):
    """For every serializer that reads a request body: a field it does not take is a 400 naming it.

    A name the serializer does not know and a read-only field alike (``{"version": 1, "team": 2}`` to an edit
    that cannot move a case is refused, not answered 200 with nothing changed). The errors come with any
    others in the body, in the one error shape, and as validation fails nothing is written. Nested
    serializers that take input use the mixin too, so their unknown fields are reported under their path.
    """

    def to_internal_value(self, data: Any) -> Any:
        refused: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            fields = self.fields
            for name in sorted(set(data) - {name for name, field in fields.items() if not field.read_only}):
                refused[name] = [READ_ONLY_FIELD if name in fields else UNKNOWN_FIELD]
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if refused and isinstance(exc.detail, dict):
                raise ValidationError({**exc.detail, **refused}) from exc
            raise
        if refused:
            raise ValidationError(refused)
        return value


class VersionField(serializers.IntegerField):
    """The ``version`` the client read: required on every edit, partial ones (PATCH) included."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("help_text", "The version you read; a stale one gets 409.")
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is serializers.empty:
            self.fail("required")
        return super().validate_empty_values(data)


class VersionSerializer(StrictFieldsMixin, serializers.Serializer):
    version = VersionField()


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    current = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # The metaclass takes declared fields off the class, so this field does not hide ``Serializer.errors``; the
    # stubs cannot say so.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def object_for_write(model: type[_Model], pk: object, user: User, ensure: Callable[..., None], keyword: str) -> _Model:
    """Fetch the target of a write and run the access check before validating the body.

    The service runs the same check again (it is the authority); doing it
    first here means an invisible object is a 404 even when the body is bad,
    so a 400 never reveals that something exists.
    """
    obj = model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404
    ensure(user=user, **{keyword: obj})
    return obj
