import math
from collections import defaultdict
from datetime import date

from odoo import Command, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_list, formatLang

#: The largest value a number of an OKR may take, in absolute value: far
#: beyond any business figure, far below what breaks a computation.
NUMBER_LIMIT = 1e12
#: PostgreSQL's integer column.
INTEGER_LIMIT = 2**31 - 1
TEXT_TYPES = ("char", "text", "html")
COMMAND_CODES = frozenset(Command)
#: How much of a refused value a message repeats.
SHOWN_LENGTH = 40


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


def check_addon_fields(records, vals_list):
    """Refuse values for the stored computed fields of ``records``' model.

    Progress, status, score and the like follow from the records' rules:
    only the addon (as the superuser) writes them. Computed fields that
    users may set (``readonly=False``) are not concerned.
    """
    refuse_addon_fields(
        records,
        vals_list,
        lambda field: field.compute and field.store and field.readonly,
    )


def check_input(records, vals_list):
    """Refuse, before anything is written, the values that would reach the
    user as a database or Python error, be stored as something else than
    sent, or break later computations: values of the wrong type, numbers
    that are not finite or out of bounds, dates that are not dates, choices
    and records that do not exist, and empty required values (names).

    Called first in ``create`` and ``write`` of the addon's models, for every
    caller: what a client sends over RPC, an import, the addon's own code."""
    referred = defaultdict(set)  # field: ids of the records sent for it
    for vals in vals_list:
        for fname, value in vals.items():
            field = records._fields.get(fname)
            if field is None:
                continue
            if _is_empty(field, value):
                if field.required and field.type != "boolean":
                    _refuse_empty(records, field)
                continue
            check = CHECKS.get(field.type)
            ids = check(records, field, value) if check else None
            if ids:
                referred[field].update(ids)
    # One query per field, however many records are created at once.
    for field, ids in referred.items():
        _check_ids_exist(records, field, ids)


def _is_empty(field, value):
    return (
        value is None
        or value is False
        or (field.type in TEXT_TYPES and isinstance(value, str) and not value.strip())
    )


def _check_text(records, field, value):
    if not isinstance(value, str):
        _refuse(records, field, value, records.env._("type it as text"))


def _check_boolean(records, field, value):
    if not isinstance(value, bool):
        _refuse(records, field, value, records.env._("send true or false"))


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
                value=_shown(value),
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
                value=_shown(value),
            )
        )
    if field.type == "integer" and not number.is_integer():
        _refuse(records, field, value, env._("type a whole number"))


def _check_date(records, field, value):
    if not (isinstance(value, date) or _is_date_text(field, value)):
        example = "2026-12-31 09:30:00" if field.type == "datetime" else "2026-12-31"
        _refuse(
            records,
            field,
            value,
            records.env._("write it as %(example)s", example=example),
        )


def _is_date_text(field, value):
    """Whether ``value`` is a date (or date-time) as the ORM reads one."""
    to_value = (
        fields.Datetime.to_datetime if field.type == "datetime" else fields.Date.to_date
    )
    try:
        return isinstance(value, str) and bool(to_value(value))
    except ValueError:
        return False


def _check_selection(records, field, value):
    env = records.env
    choices = field._description_selection(env)
    if any(value == key for key, _label in choices):
        return
    _refuse(
        records,
        field,
        value,
        env._(
            "pick one of %(choices)s",
            choices=format_list(env, [label for _key, label in choices]),
        ),
    )


def _check_many2one(records, field, value):
    if isinstance(value, models.BaseModel):
        return ()  # the addon's own code: records it holds
    if not _is_id(value):
        _refuse(records, field, value, _pick_existing(records))
    return [value]


def _check_x2many(records, field, value):
    """Commands (or ids, or records) as the ORM takes them for a one2many or
    many2many; the ids of the records they refer to."""
    if isinstance(value, models.BaseModel):
        return ()
    if not isinstance(value, list | tuple):
        _refuse(records, field, value, _pick_existing(records))
    ids = []
    for command in value:
        if _is_id(command):
            ids.append(command)
            continue
        if isinstance(command, dict | models.BaseModel):
            continue
        if not (
            isinstance(command, list | tuple)
            and command
            and _is_id(command[0])
            and command[0] in COMMAND_CODES
            and _is_command(command)
        ):
            _refuse(records, field, command, _pick_existing(records))
        if command[0] in (Command.UPDATE, Command.DELETE, Command.UNLINK, Command.LINK):
            ids.append(command[1])
        elif command[0] == Command.SET:
            ids.extend(command[2])
    return ids


def _is_command(command):
    """Whether ``command`` has the arguments its code needs."""
    code = command[0]
    if code == Command.CLEAR:
        return True
    if code == Command.SET:
        return (
            len(command) == 3
            and isinstance(command[2], list | tuple)
            and all(_is_id(id_) for id_ in command[2])
        )
    if len(command) < 2:
        return False
    if code == Command.CREATE:
        return len(command) == 3 and isinstance(command[2], dict)
    if code == Command.UPDATE:
        return len(command) == 3 and _is_id(command[1]) and isinstance(command[2], dict)
    return _is_id(command[1])


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_ids_exist(records, field, ids):
    comodel = records.env[field.comodel_name]
    missing = set(ids) - set(comodel.browse(ids).exists().ids)
    if missing:
        _refuse(records, field, min(missing), _pick_existing(records))


def _pick_existing(records):
    return records.env._("pick an existing record")


def _refuse(records, field, value, fix):
    """Refuse ``value`` for ``field``, saying how to ``fix`` it."""
    env = records.env
    raise ValidationError(
        env._(
            "“%(field)s” cannot take the value “%(value)s”: %(fix)s.",
            field=field._description_string(env),
            value=_shown(value),
            fix=fix,
        )
    )


def format_number(env, value):
    """``value`` as the user's language writes it (1,234.5 or 1.234,5), with
    the decimals it has: for the numbers that messages repeat."""
    decimals = f"{value:.6f}".rstrip("0").partition(".")[2]
    return formatLang(env, value, digits=len(decimals))


def _shown(value):
    """``value`` as a message repeats it: a 10,000-character text is cut."""
    text = str(value)
    if len(text) > SHOWN_LENGTH:
        text = text[: SHOWN_LENGTH - 1] + "…"
    return text


def _refuse_empty(records, field):
    env = records.env
    model = env["ir.model"]._get(records._name).sudo().name
    label = field._description_string(env)
    if field.type in TEXT_TYPES:
        message = env._(
            "“%(field)s” cannot be empty: type one for the %(model)s.",
            field=label,
            model=model,
        )
    else:
        message = env._(
            "“%(field)s” cannot be empty: fill it in on the %(model)s.",
            field=label,
            model=model,
        )
    raise ValidationError(message)


#: The check of a value not empty, by field type: it refuses the value, or
#: returns the ids of the records it refers to (checked together).
CHECKS = {
    "boolean": _check_boolean,
    "char": _check_text,
    "text": _check_text,
    "html": _check_text,
    "integer": _check_number,
    "float": _check_number,
    "monetary": _check_number,
    "date": _check_date,
    "datetime": _check_date,
    "selection": _check_selection,
    "many2one": _check_many2one,
    "one2many": _check_x2many,
    "many2many": _check_x2many,
}
