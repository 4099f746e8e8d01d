"""The classroom's forms: join a class, create a class, create a cluster.

Validation messages are translated strings (Django's own for the password
rules); the join form checks the code case-insensitively and refuses a
closed class in the same words as an unknown code would not: a closed
class says it is closed, so a late student knows to ask the teacher.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from clusterviz.classroom.models import DEFAULT_OBJECT_QUOTA, DEFAULT_POD_QUOTA, Classroom

RESERVED_SLUGS = ("new",)  # /clusters/new is the form's own address
PRESETS = (("lecture", _("lecture: the course's three nodes")),
           ("large", _("large: many generated worker nodes")))


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Class code"), max_length=12)
    username = forms.CharField(
        label=_("Your name"), max_length=40, validators=[UnicodeUsernameValidator()],
        help_text=_("You sign in with it; letters, digits and @ . + - _ only."))
    password = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput)

    def clean_code(self) -> Classroom:
        code = self.cleaned_data["code"].strip().upper()
        classroom: Classroom | None = Classroom.objects.filter(code=code).first()
        if classroom is None:
            raise forms.ValidationError(_("No class has this code."))
        if not classroom.open:
            raise forms.ValidationError(_("This class is closed to new students."))
        return classroom

    def clean_username(self) -> str:
        name: str = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This name is taken: add an initial or a number."))
        return name

    def clean(self) -> dict:
        data: dict = super().clean()
        if data.get("password") and data.get("username"):
            user = get_user_model()(username=data["username"])
            try:
                password_validation.validate_password(data["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class ClassForm(forms.Form):
    name = forms.CharField(label=_("Class name"), max_length=200)
    preset = forms.ChoiceField(label=_("Clusters start from"), choices=PRESETS,
                               initial="lecture")
    pod_quota = forms.IntegerField(label=_("Pods per cluster"), min_value=1, max_value=100000,
                                   initial=DEFAULT_POD_QUOTA)
    object_quota = forms.IntegerField(label=_("Objects per cluster"), min_value=10,
                                      max_value=500000, initial=DEFAULT_OBJECT_QUOTA)


class ClusterForm(forms.Form):
    slug = forms.SlugField(label=_("Cluster name"), max_length=50)
    preset = forms.ChoiceField(label=_("Preset"), choices=PRESETS, initial="lecture")
    lb_pool = forms.CharField(
        label=_("LoadBalancer address pool"), required=False, max_length=200,
        help_text=_("e.g. 192.168.100.240-192.168.100.250 (empty: EXTERNAL-IP stays pending)"))

    def clean_slug(self) -> str:
        from clusterviz.clusters.models import Cluster
        slug: str = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This name is reserved."))
        if Cluster.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A cluster with this name exists."))
        return slug

    def options(self) -> dict:
        """The preset's options (simcore.presets.options checks them at create)."""
        pool = self.cleaned_data.get("lb_pool")
        return {"lb_pool": pool} if pool else {}
