import math

from odoo import Command, models
from odoo.tests import HttpCase, new_test_user, tagged

from .common import OkrCase, call_kw

MODULE = "okr_order_management"
LONG = "长" * 5000 + "x" * 5000  # 10,000 characters
CHINESE = "提高订单处理效率，减少客户等待时间 🚚✅"
#: The largest id PostgreSQL's integer holds, never given to a record here.
MISSING_ID = 2**31 - 1

REFUSED = "refused"
STORED = "stored"

#: What a hostile client sends, by field type: (value, expected outcome).
TEXTS = [(LONG, STORED), (CHINESE, STORED), (["a", "list"], REFUSED), (42, REFUSED)]
#: Html is stored sanitized: send what sanitizing keeps.
HTML = [(f"<p>{LONG}</p>", STORED), (f"<p>{CHINESE}</p>", STORED), *TEXTS[2:]]
NUMBERS = [
    ("fifty", REFUSED),
    ([5], REFUSED),
    (math.nan, REFUSED),
    (math.inf, REFUSED),
    (-math.inf, REFUSED),
    (1e308, REFUSED),
]
X2MANY = [
    ("text", REFUSED),
    ([Command.link(MISSING_ID)], REFUSED),
    ([Command.set([MISSING_ID])], REFUSED),
    ([Command.link("text")], REFUSED),
]
HOSTILE = {
    "char": TEXTS,
    "text": TEXTS,
    "html": HTML,
    "integer": [*NUMBERS, (2**31, REFUSED), (-(2**31) - 1, REFUSED), (2.5, REFUSED)],
    "float": [*NUMBERS, (1e13, REFUSED), (-1e13, REFUSED)],
    "monetary": [*NUMBERS, (1e13, REFUSED), (-1e13, REFUSED)],
    "date": [
        ("2026-13-45", REFUSED),
        ("yesterday", REFUSED),
        (20261231, REFUSED),
        (["2026-12-31"], REFUSED),
    ],
    "datetime": [
        ("2026-13-45 10:00:00", REFUSED),
        ("yesterday", REFUSED),
        (20261231, REFUSED),
    ],
    "selection": [("not_a_key", REFUSED), (42, REFUSED), (["draft"], REFUSED)],
    "many2one": [
        (MISSING_ID, REFUSED),
        (-1, REFUSED),
        ("text", REFUSED),
        ([1], REFUSED),
    ],
    "one2many": X2MANY,
    "many2many": X2MANY,
    "boolean": [("false", REFUSED), ([True], REFUSED), (0.5, REFUSED)],
}
#: Empty values, sent to required fields.
EMPTY = {"char": [("", REFUSED), ("   ", REFUSED), (False, REFUSED)]}
EMPTY_DEFAULT = [(False, REFUSED)]
#: Texts that follow a format (domains): free text is refused there.
FORMATTED = {("okr.metric", "domain"), ("okr.metric", "numerator_domain")}
#: Nobody writes these: the addon does.
UNWRITTEN_MODELS = {"okr.recompute.request"}

#: Bounds of particular fields: (model, field, value sent, outcome).
CASES = [
    ("okr.objective", "name", "提高", STORED),
    ("okr.key.result", "target_value", 123456.5, STORED),
    ("okr.key.result", "start_value", -1e12, STORED),
    ("okr.key.result", "weight", -1.0, REFUSED),
    ("okr.key.result", "weight", 2.5, STORED),
    ("okr.checkin", "value", 1e300, REFUSED),
    ("okr.checkin", "confidence", 10**10, REFUSED),
    ("okr.checkin", "confidence", 11, REFUSED),
    ("okr.checkin", "confidence", -1, REFUSED),
    ("okr.checkin", "confidence", 10, STORED),
    ("okr.cycle.generate", "year", 1899, REFUSED),
    ("okr.cycle.generate", "year", 3000, REFUSED),
    ("okr.cycle.generate", "year", 2040, STORED),
    ("okr.tag", "color", 7, STORED),
    ("okr.cycle.close", "grace_hours", -1, REFUSED),
    ("okr.cycle.close", "grace_hours", 169, REFUSED),
    ("okr.cycle.close", "grace_hours", 24, STORED),
    ("okr.cycle.close.line", "miss_reason", "too_hard", REFUSED),
    ("okr.cycle.close.line", "miss_reason", "external", STORED),
]


def addon_models(registry):
    """The models of the addon that users write, by name: those it defines
    and those named ``okr.*``, as the access matrix counts them."""
    return sorted(
        name
        for name, model in registry.items()
        if (model._original_module == MODULE or name.startswith("okr."))
        and not model._abstract
        and name not in UNWRITTEN_MODELS
    )


def writable_fields(model):
    """The fields of the addon on ``model`` a client may send: stored and not
    read-only. Those of mail (followers, messages, activities) are mail's."""
    return [
        field
        for fname, field in sorted(model._fields.items())
        if field.store
        and not field.readonly
        and fname not in models.MAGIC_COLUMNS
        and field._module == MODULE
    ]


def hostile_cases(model):
    """The generated table of ``model``: (field name, value, outcome)."""
    cases = []
    for field in writable_fields(model):
        values = list(HOSTILE[field.type])
        if field.required:
            values += EMPTY.get(field.type, EMPTY_DEFAULT)
        for value, outcome in values:
            if (model._name, field.name) in FORMATTED and isinstance(value, str):
                outcome = REFUSED
            cases.append((field.name, value, outcome))
    return cases


@tagged("post_install", "-at_install")
class TestOkrBadInput(HttpCase, OkrCase):
    """Hostile values as a client sends them over JSON-RPC (write on a record
    and create), as the least-privileged user who may write the model: for
    every field a user may write of every model of the addon, refused with a
    ValidationError / UserError naming the field, leaving every record as it
    was and creating none, or stored exactly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.owner = new_test_user(env, login="okr_bad_input", groups="base.group_user")
        cls.manager = new_test_user(
            env,
            login="okr_bad_input_manager",
            groups=f"base.group_user,{MODULE}.group_okr_manager",
        )
        cls.objective = cls._create_objective(user_id=cls.owner.id)
        cls.key_result = cls._create_key_result(
            cls.objective, 0.0, 100.0, user_id=cls.owner.id
        )
        cls.checkin = (
            env["okr.checkin"]
            .with_user(cls.owner)
            .create({"key_result_id": cls.key_result.id, "value": 10.0})
        )
        cls.own_cycle = env["okr.cycle"].create(
            {"name": "2027 Q1", "date_start": "2027-01-01", "date_end": "2027-03-31"}
        )
        cls.tag = env["okr.tag"].create({"name": "Bad input"})
        objective_model = env["ir.model"]._get("okr.objective")
        metric_vals = {
            "model_id": objective_model.id,
            "date_field_id": env["ir.model.fields"]
            ._get("okr.objective", "create_date")
            .id,
            "aggregate": "ratio",
            "domain": "[]",
            "numerator_domain": "[('status', '=', 'achieved')]",
            "company_id": cls.company.id,
        }
        cls.metric = env["okr.metric"].create(
            dict(metric_vals, name="Achieved objectives", code="bad_input_achieved")
        )
        cls.wizard = (
            env["okr.cycle.generate"]
            .with_user(cls.manager)
            .create({"year": 2031, "company_id": cls.company.id})
        )
        cls.close_wizard = (
            env["okr.cycle.close"]
            .with_user(cls.manager)
            .create({"cycle_id": cls.cycle.id})
        )
        close_line_vals = {
            "wizard_id": cls.close_wizard.id,
            "key_result_id": cls.key_result.id,
        }
        cls.close_line = (
            env["okr.cycle.close.line"].with_user(cls.manager).create(close_line_vals)
        )
        #: model: (the least-privileged user who writes it, a record of theirs,
        #: the values of a valid new one)
        cls.subjects = {
            "okr.objective": (
                cls.owner,
                cls.objective,
                {"name": "New objective", "cycle_id": cls.cycle.id},
            ),
            "okr.key.result": (
                cls.owner,
                cls.key_result,
                {
                    "name": "New key result",
                    "objective_id": cls.objective.id,
                    "target_value": 10.0,
                },
            ),
            "okr.checkin": (
                cls.owner,
                cls.checkin,
                {"key_result_id": cls.key_result.id, "value": 20.0},
            ),
            "okr.cycle": (
                cls.manager,
                cls.own_cycle,
                {
                    "name": "2027 Q2",
                    "date_start": "2027-04-01",
                    "date_end": "2027-06-30",
                },
            ),
            "okr.tag": (cls.manager, cls.tag, {"name": "New tag"}),
            "okr.metric": (
                cls.manager,
                cls.metric,
                dict(metric_vals, name="New metric", code="bad_input_new"),
            ),
            "okr.cycle.generate": (
                cls.manager,
                cls.wizard,
                {"year": 2032, "company_id": cls.company.id},
            ),
            "okr.cycle.close": (
                cls.manager,
                cls.close_wizard,
                {"cycle_id": cls.cycle.id},
            ),
            "okr.cycle.close.line": (cls.manager, cls.close_line, close_line_vals),
        }

    def test_every_model_is_covered(self):
        """The table follows the registry: a new model or field type of the
        addon without hostile values fails here."""
        names = addon_models(self.env.registry)
        self.assertEqual(sorted(self.subjects), names)
        for name in names:
            for field in writable_fields(self.env[name]):
                self.assertIn(field.type, HOSTILE, f"no hostile values for {field}")

    def test_generated_table_over_json_rpc(self):
        for name in addon_models(self.env.registry):
            cases = hostile_cases(self.env[name])
            self.assertTrue(cases, f"{name} has no field to try")
            self._try_cases(name, cases)

    def test_particular_bounds_over_json_rpc(self):
        for name in addon_models(self.env.registry):
            self._try_cases(
                name,
                [
                    (fname, value, out)
                    for model, fname, value, out in CASES
                    if model == name
                ],
            )

    def test_taken_names_and_codes(self):
        """A tag's name and a metric's code are unique: a second one is refused
        by a message naming the field."""
        other_tag = self.env["okr.tag"].create({"name": "Taken"})
        other_metric = self.metric.copy({"code": "bad_input_taken"})
        for name, fname, value in (
            ("okr.tag", "name", other_tag.name),
            ("okr.metric", "code", other_metric.code),
        ):
            for method in ("create", "write"):
                with self.subTest(model=name, method=method):
                    self._try(name, method, {fname: value}, REFUSED, labels=(fname,))

    def test_dates_in_the_wrong_order(self):
        """A cycle ends on or after its start, however the dates come. (The
        only other dates users write are a check-in's, alone, and the cycle
        generation wizard takes a year, bounded in ``CASES``.)"""
        cycle = self.own_cycle
        for vals in ({"date_end": "2026-12-31"}, {"date_start": "2027-04-01"}):
            self._try("okr.cycle", "write", vals, REFUSED, labels=("End Date",))
        self._try(
            "okr.cycle",
            "write",
            {"date_start": "2027-03-31", "date_end": "2027-01-01"},
            REFUSED,
            labels=("Start Date", "End Date"),
        )
        self._try(
            "okr.cycle",
            "create",
            {"date_start": "2027-06-30", "date_end": "2027-04-01"},
            REFUSED,
            labels=("Start Date", "End Date"),
        )
        self._try(
            "okr.cycle",
            "write",
            {"date_start": "2027-02-01", "date_end": "2027-02-01"},
            STORED,
        )
        self.assertEqual(str(cycle.date_end), "2027-02-01")

    def _try_cases(self, name, cases):
        for fname, value, outcome in cases:
            label = self.env[name]._fields[fname]._description_string(self.env)
            # Created first: a name stored on the record would then be taken.
            for method in ("create", "write"):
                with self.subTest(
                    model=name, field=fname, method=method, value=repr(value)[:30]
                ):
                    self._try(name, method, {fname: value}, outcome, labels=(label,))

    def _try(self, name, method, vals, outcome, labels=()):
        """Send ``vals`` to ``method`` (write on the user's record, or create
        with the values of a valid record) as the model's user; check that it
        is ``outcome``."""
        user, record, new_vals = self.subjects[name]
        if getattr(self, "_logged_in", None) != user:
            self.authenticate(user.login, user.login)
            self._logged_in = user
        everything = self.env[name].sudo().with_context(active_test=False)
        before = self._state(everything)
        if method == "write":
            response = call_kw(self, name, "write", [record.id], vals)
        else:
            response = call_kw(self, name, "create", dict(new_vals, **vals))
        created = everything.browse()
        if method == "create" and "result" in response:
            created = everything.browse(response["result"])
        try:
            if outcome == REFUSED:
                self._assert_refused(response, labels)
                self.assertEqual(
                    self._state(everything), before, "nothing changed, nothing created"
                )
            else:
                self.assertNotIn("error", response, "stored")
                self._assert_stored(created or record, vals)
        finally:
            # The next cases create the same anew (unique names and codes).
            created.unlink()

    def _assert_refused(self, response, labels):
        error = response.get("error", {}).get("data", {})
        self.assertIn(
            error.get("name"),
            ("odoo.exceptions.ValidationError", "odoo.exceptions.UserError"),
            "refused with a message for the user, not "
            f"{error.get('name') or response}: {error.get('message')}",
        )
        message = error["message"].lower()
        for label in labels:
            self.assertIn(label.lower(), message, "the message names the field")

    def _assert_stored(self, record, vals):
        for fname, value in vals.items():
            field = record._fields[fname]
            if field.type in ("date", "datetime"):
                value = field.convert_to_cache(value, record)
            self.assertEqual(record[fname], value, "stored exactly")

    def _state(self, everything):
        """The rows of the records of every model, and the ids of this one."""
        rows = [self._row(record) for _user, record, _vals in self.subjects.values()]
        return rows, everything.search([]).ids

    def _row(self, record):
        """The whole stored row of ``record``, as the database holds it."""
        record.invalidate_recordset()
        record = record.sudo().with_context(active_test=False)
        return record.read(
            [fname for fname, field in record._fields.items() if field.store]
        )
