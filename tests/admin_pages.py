"""Driving admin pages in tests: URLs, staff personas and the data a browser posts."""

from django.forms import CheckboxInput, ModelChoiceField, MultiWidget
from django.urls import reverse


def url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def form_data(response) -> dict:
    """What a browser posts for an admin form page as shown: main form and inlines."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            widget = field.field.widget
            if isinstance(widget, MultiWidget):  # a date and a time: one input each
                parts = value if isinstance(value, list) else widget.decompress(value)
                for suffix, part in zip(widget.widgets_names, parts, strict=True):
                    data[field.html_name + suffix] = "" if part is None else str(part)
            elif isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):  # a multiple choice: one per value
                if value:
                    data[field.html_name] = [str(item) for item in value]
            elif value is not None:
                data[field.html_name] = str(value)
    return data


def choice_fields(response):
    """Every foreign-key choice field of the page's form and its inline forms."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [*inline.formset.forms, inline.formset.empty_form]
    for form in forms:
        # An inline row's hidden id is not a choice: rows are looked up under the parent.
        row_id = form._meta.model._meta.pk.name
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField) and name != row_id:
                yield name, field


def add_inline_row(data: dict, response, model, **values) -> str:
    """Add one row of the `model` inline to posted `data`, as "Add another" does.

    Returns the row's prefix, for changing its fields before posting again.
    """
    formsets = [i.formset for i in response.context["inline_admin_formsets"]]
    formset = next(f for f in formsets if f.model is model)
    total = f"{formset.prefix}-TOTAL_FORMS"
    index = int(data[total])
    data[total] = str(index + 1)
    for name, value in values.items():
        data[f"{formset.prefix}-{index}-{name}"] = str(value)
    return f"{formset.prefix}-{index}"


def errors(response) -> list[str]:
    """Every error message a re-shown admin form page carries, inlines included."""
    found = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        found += [inline.formset.non_form_errors()]
        for form in inline.formset.forms:
            found += list(form.errors.values())
    return [str(message) for messages in found for message in messages]
