import math

from odoo.exceptions import UserError, ValidationError

#: The largest value a number of an OKR may take, in absolute value: far
#: beyond any business figure, far below what breaks a computation.
NUMBER_LIMIT = 1e12
#: PostgreSQL's integer column.
INTEGER_LIMIT = 2**31 - 1


def refuse_addon_fields(records, vals_list, is_addon_field):
    """Refuse values for the fields that only the addon (as the superuser)
    writes: those of ``records``' model for which ``is_addon_field(field)``
    holds, whatever a client sends."""
    if records.env.su:
        return
    sent = {
        fname
        for vals in vals_list
        for fname in vals
        if fname in records._fields and is_addon_field(records._fields[fname])
    }
    if sent:
        raise UserError(
            records.env._(
                "These fields are set by the addon only: %(fields)s.",
                fields=", ".join(
                    records._fields[fname]._description_string(records.env)
                    for fname in sorted(sent)
                ),
            )
        )


def check_input(records, vals_list):
    """Refuse, before anything is written, the values that would reach the
    user as a database error or break later computations: numbers that are
    not finite or out of bounds, and empty required texts (names)."""
    for vals in vals_list:
        for fname, value in vals.items():
            field = records._fields.get(fname)
            if field is None or value is None or value is False:
                if field is not None and field.required and field.type == "char":
                    _refuse_empty(records, field)
                continue
            if field.type in ("float", "monetary", "integer"):
                _check_number(records, field, value)
            elif field.type == "char" and field.required and not str(value).strip():
                _refuse_empty(records, field)


def _check_number(records, field, value):
    env = records.env
    label = field._description_string(env)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(
            env._(
                "“%(field)s” must be a number, not “%(value)s”.",
                field=label,
                value=value,
            )
        ) from None
    limit = INTEGER_LIMIT if field.type == "integer" else NUMBER_LIMIT
    if not math.isfinite(number) or abs(number) > limit:
        shown = f"{limit:,.0f}"
        raise ValidationError(
            env._(
                "“%(field)s” must be a number from -%(limit)s to %(limit)s: "
                "%(value)s is not.",
                field=label,
                limit=shown,
                value=value,
            )
        )


def _refuse_empty(records, field):
    env = records.env
    raise ValidationError(
        env._(
            "“%(field)s” cannot be empty: type one for the %(model)s.",
            field=field._description_string(env),
            model=env["ir.model"]._get(records._name).sudo().name,
        )
    )
