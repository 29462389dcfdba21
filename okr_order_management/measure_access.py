"""Nobody learns through a key result what they could not read.

Values are computed as the superuser, so a definition is checked when it is
saved, with the rights of the user saving it: the source model and every
field its domains reach must be readable by them, and every record it may
count too. The engine then compiles each domain with the rights of the user
who typed it (``metric_engine.compile_domain``).
"""

from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .metric_engine import compile_domain


def _model_label(env, model_name):
    return env["ir.model"]._get(model_name).sudo().name or model_name


def check_model(env, model_name, owner):
    """The source model must exist and be readable by ``env.user``."""
    if model_name not in env:
        raise ValidationError(
            env._(
                "“%(owner)s” reads the model %(model)s, which is not installed: pick "
                "another source.",
                owner=owner,
                model=model_name,
            )
        )
    if not env.su and not env[model_name].has_access("read"):
        raise ValidationError(
            env._(
                "“%(owner)s” would count %(model)s, which you are not allowed to "
                "read: ask a user who may read them to set it up.",
                owner=owner,
                model=_model_label(env, model_name),
            )
        )


def check_path(env, model_name, path, label, owner):
    """Every field of ``path`` (dotted) must be stored and readable by
    ``env.user``, and so must the records it goes through; return the model
    the path ends on (None for an unknown field)."""
    model = env[model_name]
    for fname in path.split("."):
        field = model._fields.get(fname)
        if field is None:
            return None  # the ORM, compiling the domain, says which and why
        if not field.store:
            raise ValidationError(
                env._(
                    "%(label)s of “%(owner)s” uses the field “%(field)s” of "
                    "%(model)s, which is computed on the fly and not stored: the "
                    "database cannot count by it. Use a stored field instead.",
                    label=label,
                    owner=owner,
                    field=field._description_string(env),
                    model=_model_label(env, model._name),
                )
            )
        if not env.su and not field.is_accessible(env):
            raise ValidationError(
                env._(
                    "%(label)s of “%(owner)s” uses the field “%(field)s” of "
                    "%(model)s, which you are not allowed to read: remove it, or ask "
                    "a user who may read it to set it up.",
                    label=label,
                    owner=owner,
                    field=field._description_string(env),
                    model=_model_label(env, model._name),
                )
            )
        if field.relational:
            model = env[field.comodel_name]
            if not env.su and not model.has_access("read"):
                raise ValidationError(
                    env._(
                        "%(label)s of “%(owner)s” goes through %(model)s, which you "
                        "are not allowed to read: remove that condition, or ask a "
                        "user who may read them to set it up.",
                        label=label,
                        owner=owner,
                        model=_model_label(env, model._name),
                    )
                )
    return model._name


def check_domain(env, model_name, domain, label, owner):
    """Every field ``domain`` reaches, through paths and ``any`` too."""
    for leaf in domain:
        if not isinstance(leaf, list | tuple) or not isinstance(leaf[0], str):
            continue  # an operator, or a constant leaf such as (1, "=", 1)
        path, operator, value = leaf
        comodel = check_path(env, model_name, path, label, owner)
        if (
            comodel
            and operator in ("any", "not any")
            and isinstance(value, list | tuple)
        ):
            check_domain(env, comodel, value, label, owner)


def check_population(env, measure, owner):
    """Every record ``measure`` may count must be readable by ``env.user``.

    Compared in one query: the first record of the population, compiled as
    it is evaluated, that the user's own search would not return.
    """
    if env.su:
        return
    model = env[measure.model_name].with_context(active_test=False)
    readable = model._search([])
    conditions = [
        compile_domain(env, measure.model_name, domain, uid)
        for domain, uid in measure.population_parts()
    ]
    unreadable = env.execute_query(
        SQL(
            "SELECT 1 FROM %s WHERE %s AND %s NOT IN %s LIMIT 1",
            SQL.identifier(model._table),
            SQL(" AND ").join(conditions),
            SQL.identifier(model._table, "id"),
            readable.subselect(),
        )
    )
    if unreadable:
        raise ValidationError(
            env._(
                "“%(owner)s” would count %(model)s that you are not allowed to "
                "read. Narrow its scope to records you may read (your own, for "
                "example), or ask a user who may read all of them, such as a "
                "manager of that application, to set it up.",
                owner=owner,
                model=_model_label(env, measure.model_name),
            )
        )
