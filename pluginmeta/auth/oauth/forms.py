"""The sign-up form of oauth plugin hosts."""

from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

# Names a visitor must not take: they look like the operator's, or like the shared list of the
# no-auth TODO plugin. Compared case-insensitively, after the form's NFKC normalisation.
RESERVED_USERNAMES = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "anonymous",
        "global",
        "help",
        "hostmaster",
        "info",
        "moderator",
        "noreply",
        "no-reply",
        "null",
        "operator",
        "owner",
        "postmaster",
        "root",
        "security",
        "staff",
        "superuser",
        "support",
        "system",
        "webmaster",
    }
)


class SignUpForm(UserCreationForm):
    """Django's account form, refusing reserved usernames."""

    def clean_username(self) -> str:
        username = self.cleaned_data.get("username") or ""
        if username.casefold() in RESERVED_USERNAMES:
            raise ValidationError("This username is reserved; choose another.", code="reserved")
        return super().clean_username()
