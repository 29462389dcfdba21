from contextlib import contextmanager
from datetime import date
from functools import partial

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools import html2plaintext
from odoo.tools.safe_eval import safe_eval

from .common import Q4_END, Q4_START, OkrCase, call_kw, create_okr_users

SET_BY_THE_ADDON = "set by the addon only"
MOVE = "needs the right to change both objectives"
CLOSED = "is closed: its objectives, key results and check-ins are read-only"
CHECKIN_FIXED = "follow from who made it"

#: The stored computed fields users never write, by model.
ADDON_FIELDS = {
    "okr.objective": {"progress", "status", "score", "score_band"},
    "okr.key.result": {
        "attainment",
        "progress",
        "weighted_progress",
        "score",
        "score_band",
        "commitment",
        "status",
        "confidence",
        "last_checkin_date",
        "cycle_id",
        "company_id",
    },
    "okr.checkin": {"objective_id", "cycle_id", "company_id"},
}
#: Hostile values for them: an achieved objective, a perfect score.
HOSTILE_VALUES = {
    "progress": 100.0,
    "status": "achieved",
    "score": 1.0,
    "score_band": "green",
    "commitment": "aspirational",
    "attainment": 100.0,
    "weighted_progress": 100.0,
    "confidence": 10,
    "last_checkin_date": "2026-12-31",
}


class WriteRulesCase(OkrCase):
    """Alice and Bob (plain OKR users) own an objective each, in a company
    where Alice also works in a second one; and a closed cycle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.other_company = cls.env["res.company"].create({"name": "OKR Other Co"})
        cls.alice.company_ids |= cls.other_company
        cls.other_cycle = cls.env["okr.cycle"].create(
            {
                "name": "Other company Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.other_company.id,
            }
        )
        cls.alice_objective = cls._create_objective("Alice's", user_id=cls.alice.id)
        cls.alice_kr = cls._create_key_result(
            cls.alice_objective, 0.0, 10.0, 5.0, name="Alice's KR"
        )
        cls.bob_objective = cls._create_objective("Bob's", user_id=cls.bob.id)
        cls.bob_kr = cls._create_key_result(
            cls.bob_objective, 0.0, 10.0, 8.0, name="Bob's KR"
        )
        cls.alice_kr_for_bob = cls._create_key_result(
            cls.bob_objective,
            0.0,
            10.0,
            2.0,
            name="Alice's KR for Bob",
            user_id=cls.alice.id,
        )
        cls.alice_other_objective = cls._create_objective(
            "Alice's, other company",
            cycle_id=cls.other_cycle.id,
            company_id=cls.other_company.id,
            user_id=cls.alice.id,
        )
        cls.alice_checkin = (
            cls.env["okr.checkin"]
            .with_user(cls.alice)
            .create(
                {
                    "key_result_id": cls.alice_kr.id,
                    "date": date(2026, 10, 20),
                    "value": 5.0,
                    "confidence": 6,
                }
            )
        )
        cls.closed_cycle = cls.env["okr.cycle"].create(
            {
                "name": "2026 Q3",
                "date_start": date(2026, 7, 1),
                "date_end": date(2026, 9, 30),
                "company_id": cls.company.id,
            }
        )
        cls.closed_objective = cls._create_objective(
            "Alice's, closed", cycle_id=cls.closed_cycle.id, user_id=cls.alice.id
        )
        cls.closed_kr = cls._create_key_result(
            cls.closed_objective, 0.0, 10.0, name="Alice's closed KR"
        )
        cls.closed_checkin = (
            cls.env["okr.checkin"]
            .with_user(cls.alice)
            .create(
                {
                    "key_result_id": cls.closed_kr.id,
                    "date": date(2026, 9, 20),
                    "value": 7.0,
                }
            )
        )
        cls.closed_cycle.state = "closed"

    @contextmanager
    def assertRefused(self, exception, message):
        """Refused with ``message``, and rolled back as a client's call is."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(message, str(caught.exception))

    def snapshot(self, records, fnames):
        """The stored values of ``fnames`` of ``records``, read afresh."""
        self.env.flush_all()
        records.invalidate_recordset()
        return records.with_context(active_test=False).sudo().read(fnames)


@tagged("post_install", "-at_install")
class TestOkrWriteRules(WriteRulesCase):
    """Records change through their rules only, whatever fields are sent."""

    # Moving key results

    def test_move_key_result_needs_both_objectives(self):
        fnames = ["objective_id", "company_id", "user_id"]
        cases = [
            # Into a colleague's objective, where it would weigh on them.
            (self.alice_kr, self.bob_objective),
            # Out of a colleague's objective, though Alice owns the key result.
            (self.alice_kr_for_bob, self.alice_objective),
        ]
        for key_result, target in cases:
            with self.subTest(key_result=key_result.name):
                before = self.snapshot(key_result, fnames)
                with self.assertRefused(UserError, MOVE):
                    key_result.with_user(self.alice).write({"objective_id": target.id})
                self.assertEqual(self.snapshot(key_result, fnames), before)
        self.assertAlmostEqual(self.bob_objective.progress, 50.0)

    def test_move_key_result_within_its_company(self):
        before = self.snapshot(self.alice_kr, ["objective_id", "company_id"])
        with self.assertRefused(UserError, "can only move to an objective of"):
            self.alice_kr.with_user(self.alice).write(
                {"objective_id": self.alice_other_objective.id}
            )
        self.assertEqual(
            self.snapshot(self.alice_kr, ["objective_id", "company_id"]), before
        )
        self.assertFalse(self.alice_other_objective.key_result_ids)

    def test_move_key_result_between_own_objectives(self):
        second = self._create_objective("Alice's second", user_id=self.alice.id)
        self.alice_kr.with_user(self.alice).objective_id = second
        self.assertEqual(self.alice_kr.objective_id, second)
        self.assertEqual(self.alice_checkin.objective_id, second)
        self.assertAlmostEqual(second.progress, 50.0)
        self.assertAlmostEqual(self.alice_objective.progress, 0.0)
        # A manager moves anybody's.
        self.bob_kr.with_user(self.manager).objective_id = second
        self.assertEqual(self.bob_kr.objective_id, second)

    # Alignment

    def test_alignment_to_an_objective_averaging_its_children(self):
        """Bob's objective has no key result: aligning under it would change
        its progress, so only Bob or a manager may."""
        empty = self._create_objective("Bob's, from aligned", user_id=self.bob.id)
        mine = self.alice_objective.with_user(self.alice)
        with self.assertRefused(UserError, "only its owner"):
            mine.parent_id = empty
        self.assertFalse(
            self.snapshot(self.alice_objective, ["parent_id"])[0]["parent_id"]
        )
        with self.assertRefused(UserError, "only its owner"):
            self._create_objective(
                "Alice's, aligned",
                user_id=self.alice.id,
                parent_id=empty.id,
                env=self.env(user=self.alice),
            )
        # Under an objective measured by its own key results, alignment is a link.
        mine.parent_id = self.bob_objective
        self.assertEqual(self.alice_objective.parent_id, self.bob_objective)
        self.assertAlmostEqual(self.bob_objective.progress, 50.0)
        # The manager aligns it under the averaging one.
        self.alice_objective.with_user(self.manager).parent_id = empty
        self.assertAlmostEqual(empty.progress, 50.0)
        # And Alice un-aligns her own.
        mine.parent_id = False
        self.assertFalse(self.alice_objective.parent_id)

    def test_removing_an_aligned_objective_unaligns_it(self):
        """The trash icon of the Aligned Objectives tab sends a delete of the
        line: the objective is un-aligned, never deleted."""
        child = self._create_objective(
            "Alice's, aligned under her own",
            user_id=self.alice.id,
            parent_id=self.alice_objective.id,
        )
        parent = self.alice_objective.with_user(self.alice)
        with Form(parent) as form:
            form.child_ids.remove(index=0)
        self.assertTrue(child.exists())
        self.assertFalse(child.parent_id)
        self.assertFalse(self.alice_objective.child_ids)

    def test_unaligning_is_for_the_aligned_objectives_owner(self):
        """Bob aligned his objective under Alice's: un-aligning changes his,
        so it is his call (or a manager's), however Alice sends it."""
        self.bob_objective.with_user(self.bob).parent_id = self.alice_objective
        parent = self.alice_objective.with_user(self.alice)
        bob_id = self.bob_objective.id
        for commands in (
            [Command.delete(bob_id)],
            [Command.unlink(bob_id)],
            [Command.clear()],
            [Command.set([])],
        ):
            with self.subTest(commands=commands):
                with self.assertRefused(UserError, "only its owner (okr_bob"):
                    parent.write({"child_ids": commands})
        with self.assertRefused(UserError, "only its owner (okr_bob"):
            with Form(parent) as form:
                form.child_ids.remove(index=0)
        self.assertEqual(self.bob_objective.parent_id, self.alice_objective)
        self.bob_objective.with_user(self.bob).parent_id = False
        self.assertFalse(self.alice_objective.child_ids)

    # A manual key result's value

    def test_typed_value_is_a_checkin(self):
        """Typing a manual key result's value records the user's check-in of
        today, with their last confidence: history and confidence follow."""
        key_result = self.alice_kr.with_user(self.alice)
        key_result.current_value = 7.0
        latest = key_result._latest_checkin()
        self.assertNotEqual(latest, self.alice_checkin)
        self.assertRecordValues(
            latest,
            [
                {
                    "value": 7.0,
                    "user_id": self.alice.id,
                    "source": "manual",
                    "confidence": 6,
                    "date": fields.Date.context_today(key_result),
                }
            ],
        )
        self.assertEqual(self.alice_kr.current_value, 7.0)
        # In the form too; the same value again records nothing.
        with Form(key_result) as form:
            form.current_value = 8.0
        with Form(key_result) as form:
            form.current_value = 8.0
        self.assertEqual(self.alice_kr.checkin_ids.mapped("value"), [8.0, 7.0, 5.0])
        # As a line of the objective's key results.
        with Form(self.alice_objective.with_user(self.alice)) as form:
            with form.key_result_ids.edit(0) as line:
                line.current_value = 9.0
        self.assertEqual(self.alice_kr.current_value, 9.0)
        self.assertEqual(len(self.alice_kr.checkin_ids), 4)
        # Bob may not check in on Alice's key result, so may not type it.
        with self.assertRaises(AccessError):
            self.alice_kr.with_user(self.bob).current_value = 1.0
        self.assertEqual(self.alice_kr.current_value, 9.0)

    # Computed fields

    def test_addon_fields_are_the_stored_computed_ones(self):
        for model, expected in ADDON_FIELDS.items():
            with self.subTest(model=model):
                fields = self.env[model]._fields
                protected = {
                    fname
                    for fname, field in fields.items()
                    if field.compute and field.store and field.readonly
                }
                self.assertEqual(protected, expected)
        # Computed fields users set stay editable.
        key_result = self.alice_kr.with_user(self.alice)
        department = self.env["hr.department"].create({"name": "Operations"})
        key_result.write({"user_id": self.alice.id, "department_id": department.id})
        self.assertEqual(self.alice_kr.department_id, department)

    def test_computed_fields_refused(self):
        records = {
            "okr.objective": self.alice_objective,
            "okr.key.result": self.alice_kr,
        }
        for user in (self.alice, self.manager):
            for model, record in records.items():
                fnames = sorted(ADDON_FIELDS[model])
                before = self.snapshot(record, fnames)
                for fname in fnames:
                    value = HOSTILE_VALUES.get(fname) or self.bob_objective[fname].id
                    with self.subTest(user=user.login, model=model, field=fname):
                        with self.assertRefused(UserError, SET_BY_THE_ADDON):
                            record.with_user(user).write({fname: value})
                self.assertEqual(self.snapshot(record, fnames), before)
        with self.assertRefused(UserError, "Progress, Score, Status"):
            self._create_objective(
                "Achieved at birth",
                user_id=self.alice.id,
                progress=100.0,
                score=1.0,
                status="achieved",
                env=self.env(user=self.alice),
            )
        with self.assertRefused(UserError, SET_BY_THE_ADDON):
            self._create_key_result(
                self.alice_objective,
                0.0,
                10.0,
                progress=100.0,
                env=self.env(user=self.alice),
            )
        with self.assertRefused(UserError, SET_BY_THE_ADDON):
            self.env["okr.checkin"].with_user(self.alice).create(
                {
                    "key_result_id": self.alice_kr.id,
                    "value": 6.0,
                    "objective_id": self.bob_objective.id,
                }
            )
        self.assertEqual(self.alice_kr.checkin_ids, self.alice_checkin)

    # Check-ins

    def test_checkin_keeps_author_source_and_progress(self):
        fnames = ["user_id", "source", "progress", "value", "key_result_id"]
        checkin = self.alice_checkin.with_user(self.alice)
        before = self.snapshot(self.alice_checkin, fnames)
        for vals in (
            {"source": "auto"},
            {"user_id": self.bob.id},
            {"progress": 100.0},
            {"value": 9.0, "progress": 10.0},
            {"unit": "h"},
        ):
            with self.subTest(vals=vals):
                with self.assertRefused(UserError, CHECKIN_FIXED):
                    checkin.write(vals)
        self.assertEqual(self.snapshot(self.alice_checkin, fnames), before)
        self.assertFalse(self.alice_kr.unit)
        # Its value, confidence, note (and date) are the author's to change.
        checkin.write({"value": 9.0, "confidence": 8, "note": "Order entry done"})
        self.assertRecordValues(
            self.alice_checkin, [{"value": 9.0, "progress": 90.0, "confidence": 8}]
        )
        self.assertEqual(self.alice_kr.current_value, 9.0)

    # Deleting with history

    def test_key_result_with_others_checkins_is_archived(self):
        """Bob owns a key result of Alice's objective and checked in on it."""
        bob_part = self._create_key_result(
            self.alice_objective, 0.0, 10.0, name="Bob's part", user_id=self.bob.id
        )
        bob_checkin = (
            self.env["okr.checkin"]
            .with_user(self.bob)
            .create({"key_result_id": bob_part.id, "value": 10.0})
        )
        self.assertAlmostEqual(self.alice_objective.progress, 75.0)
        bob_part.with_user(self.alice).unlink()
        self.assertTrue(bob_part.exists())
        self.assertFalse(bob_part.active)
        self.assertTrue(bob_checkin.exists())
        self.assertEqual(self.alice_objective.key_result_ids, self.alice_kr)
        self.assertAlmostEqual(self.alice_objective.progress, 50.0)
        message = self.alice_objective.message_ids[:1]
        self.assertIn(
            "“Bob's part” was archived instead of deleted", html2plaintext(message.body)
        )
        # Her own, with her own check-ins only, is deleted with them.
        self.alice_kr.with_user(self.alice).unlink()
        self.assertFalse(self.alice_kr.exists())
        self.assertFalse(self.alice_checkin.exists())
        # A manager deletes explicitly.
        bob_part.with_user(self.manager).unlink()
        self.assertFalse(bob_part.exists())
        self.assertFalse(bob_checkin.exists())

    def test_key_result_with_automatic_history_is_archived(self):
        self.env["okr.checkin"].create(
            {
                "key_result_id": self.alice_kr.id,
                "date": date(2026, 10, 21),
                "value": 6.0,
                "source": "auto",
            }
        )
        self.alice_kr.with_user(self.alice).unlink()
        self.assertFalse(self.alice_kr.active)
        self.assertEqual(len(self.alice_kr.checkin_ids), 2)

    def test_objective_with_others_history_is_archived(self):
        parent = self._create_objective("Company", user_id=self.manager.id)
        self.bob_objective.parent_id = parent
        self.env["okr.checkin"].with_user(self.alice).create(
            {"key_result_id": self.alice_kr_for_bob.id, "value": 4.0}
        )
        self.bob_objective.with_user(self.bob).unlink()
        self.assertFalse(self.bob_objective.active)
        key_results = self.bob_kr | self.alice_kr_for_bob
        self.assertEqual(key_results.mapped("active"), [False, False])
        self.assertEqual(len(key_results.checkin_ids), 1)
        self.assertIn(
            "“Bob's” was archived", html2plaintext(parent.message_ids[:1].body)
        )
        # Restored with its key results.
        self.bob_objective.with_user(self.bob).active = True
        self.assertEqual(key_results.mapped("active"), [True, True])
        # Alice, who may not delete it, may not archive it either.
        with self.assertRaises(AccessError):
            self.bob_objective.with_user(self.alice).unlink()
        self.assertTrue(self.bob_objective.active)
        # Without other people's history, Alice's goes.
        self.alice_objective.with_user(self.alice).unlink()
        self.assertFalse(self.alice_objective.exists())

    # Closed cycles

    def test_closed_cycle_is_read_only(self):
        kr_fnames = ["current_value", "target_value", "status", "progress"]
        before = self.snapshot(self.closed_kr, kr_fnames)
        checkin_vals = {"key_result_id": self.closed_kr.id, "value": 10.0}
        for user in (self.alice, self.manager):
            env = self.env(user=user)
            objective = self.closed_objective.with_env(env)
            key_result = self.closed_kr.with_env(env)
            mine = self.alice_objective.with_env(env)
            operations = {
                "objective write": partial(objective.write, {"name": "Renamed"}),
                "objective unlink": objective.unlink,
                "objective create": partial(
                    self._create_objective,
                    "Late",
                    cycle_id=self.closed_cycle.id,
                    env=env,
                ),
                "move into": partial(mine.write, {"cycle_id": self.closed_cycle.id}),
                "align under": partial(
                    mine.write, {"parent_id": self.closed_objective.id}
                ),
                "key result write": partial(key_result.write, {"target_value": 7.0}),
                "key result unlink": key_result.unlink,
                "key result create": partial(
                    self._create_key_result, self.closed_objective, 0.0, 1.0, env=env
                ),
                "key result move": partial(
                    self.alice_kr.with_env(env).write,
                    {"objective_id": self.closed_objective.id},
                ),
                "check-in": partial(env["okr.checkin"].create, checkin_vals),
            }
            if user == self.alice:
                checkin = self.closed_checkin.with_env(env)
                operations["check-in write"] = partial(checkin.write, {"value": 1.0})
                operations["check-in unlink"] = checkin.unlink
            for name, operation in operations.items():
                with self.subTest(user=user.login, operation=name):
                    with self.assertRefused(UserError, CLOSED):
                        operation()
        self.assertEqual(self.snapshot(self.closed_kr, kr_fnames), before)
        self.assertEqual(self.closed_objective.name, "Alice's, closed")
        self.assertEqual(self.closed_kr.checkin_ids, self.closed_checkin)
        self.assertEqual(self.alice_kr.objective_id, self.alice_objective)
        # Its dates stay too.
        with self.assertRefused(UserError, CLOSED):
            self.closed_cycle.with_user(self.manager).date_end = date(2026, 12, 31)
        # Users cannot reopen it; a manager can, then Alice checks in.
        with self.assertRaises(AccessError):
            self.closed_cycle.with_user(self.alice).action_reopen()
        self.closed_cycle.with_user(self.manager).action_reopen()
        self.assertEqual(self.closed_cycle.state, "active")
        self.env["okr.checkin"].with_user(self.alice).create(checkin_vals)
        self.assertEqual(self.closed_kr.current_value, 10.0)

    def test_closed_cycle_forms_are_read_only(self):
        """The web client offers no edit, check-in or Refresh in a closed
        cycle (the rules above refuse them from any client)."""
        objective = self.closed_objective.with_user(self.alice)
        key_result = self.closed_kr.with_user(self.alice)
        checkin = self.closed_checkin.with_user(self.alice)
        forms = {
            objective: ["name", "cycle_id", "parent_id", "key_result_ids", "child_ids"],
            key_result: ["name", "target_value", "current_value", "objective_id"],
            checkin: ["value", "confidence", "note", "date", "key_result_id"],
        }
        for record, fnames in forms.items():
            form = Form(record)
            for fname in fnames:
                with self.subTest(model=record._name, field=fname):
                    with self.assertRaisesRegex(
                        AssertionError, "readonly|not editable"
                    ):
                        if record._fields[fname].type == "one2many":
                            getattr(form, fname).remove(index=0)
                        else:
                            setattr(form, fname, getattr(record, fname))
        self.assertFalse(button_visible(key_result, "action_checkin"))
        self.assertFalse(button_visible(self.alice_kr.with_user(self.alice), "name"))
        self.assertTrue(
            button_visible(self.alice_kr.with_user(self.alice), "action_checkin")
        )
        # Open again: editable, and a check-in's day stays its own.
        self.closed_cycle.with_user(self.manager).action_reopen()
        Form(objective).name = "Alice's, reopened"
        Form(checkin).note = "Later"
        with self.assertRaisesRegex(AssertionError, "readonly"):
            Form(checkin).date = date(2026, 9, 21)
        self.assertTrue(button_visible(key_result, "action_checkin"))
        # Someone else's check-in is theirs.
        with self.assertRaisesRegex(AssertionError, "readonly"):
            Form(self.closed_checkin.with_user(self.manager)).value = 1.0


#: Relational fields of the addon's forms where quick-create (a record from
#: the typed name alone) is offered: none. ``no_quick_create`` keeps "Create
#: and edit..." (a complete form) where the user may create such a record.
QUICK_CREATE_ALLOWED = set()


@tagged("post_install", "-at_install")
class TestOkrFormFields(OkrCase):
    """Every relational field a user edits in the addon's forms offers no
    quick-create: a cycle, a user, a department or a key result is not made
    complete by its name."""

    def test_no_quick_create(self):
        offered = set()
        views = self.env["ir.ui.view"].search(
            [("model", "like", "okr.%"), ("type", "=", "form")]
        )
        for view in views:
            Model = self.env[view.model]
            arch = Model.get_views([(view.id, "form")])["views"]["form"]["arch"]
            for node in etree.fromstring(arch).iter("field"):
                view_root = node.getparent()
                while view_root.tag not in ("form", "list"):
                    view_root = view_root.getparent()
                if view_root.tag == "list" and not view_root.get("editable"):
                    continue  # its rows open a form of their own
                owner = view_root.getparent()
                comodel = (
                    Model
                    if owner is None or owner.tag != "field"
                    else self.env[Model._fields[owner.get("name")].comodel_name]
                )
                field = comodel._fields[node.get("name")]
                if field.type not in ("many2one", "many2many") or field.readonly:
                    continue
                if node.get("readonly") in ("1", "True") or node.get("invisible") in (
                    "1",
                    "True",
                ):
                    continue
                options = safe_eval(node.get("options") or "{}")
                if not (options.get("no_create") or options.get("no_quick_create")):
                    offered.add((view.xml_id, field.model_name, field.name))
        self.assertEqual(offered, QUICK_CREATE_ALLOWED)


def button_visible(record, name):
    """Whether the form view of ``record`` shows its button ``name``: its
    ``invisible`` expression evaluated as the web client does, on the
    record's values (many2one as ids)."""
    arch = etree.fromstring(
        record.get_views([(False, "form")])["views"]["form"]["arch"]
    )
    [button] = arch.xpath(f"//button[@name='{name}']") or [None]
    if button is None:
        return False
    values = {
        fname: value[0] if isinstance(value, tuple) else value
        for fname, value in record.read(list(record._fields))[0].items()
    }
    expression = button.get("invisible") or "False"
    return not safe_eval(expression, values)


@tagged("post_install", "-at_install")
class TestOkrWriteRulesRpc(HttpCase, WriteRulesCase):
    """The same hostile writes, as a client sends them: JSON-RPC as Alice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bob_child = cls._create_objective(
            "Bob's, aligned under Alice's",
            user_id=cls.bob.id,
            parent_id=cls.alice_objective.id,
        )

    def setUp(self):
        super().setUp()
        self.authenticate(self.alice.login, self.alice.login)

    def test_typed_value_is_a_checkin(self):
        self.assertIsNone(
            self.call(
                "okr.key.result", "write", self.alice_kr.ids, {"current_value": 6}
            )
        )
        self.assertEqual(self.alice_kr.current_value, 6.0)
        self.assertEqual(self.alice_kr.checkin_ids.mapped("value"), [6.0, 5.0])

    def call(self, model, method, *args):
        """``model.method(*args)`` over JSON-RPC: the error's data, or None
        when the call succeeded."""
        return call_kw(self, model, method, *args).get("error", {}).get("data")

    def test_hostile_writes_refused(self):
        kr, objective, checkin = "okr.key.result", "okr.objective", "okr.checkin"
        cases = [
            (kr, self.alice_kr, {"objective_id": self.bob_objective.id}, MOVE),
            (
                kr,
                self.alice_kr_for_bob,
                {"objective_id": self.alice_objective.id},
                MOVE,
            ),
            (
                kr,
                self.alice_kr,
                {"objective_id": self.alice_other_objective.id},
                "can only move to an objective of",
            ),
            (
                kr,
                self.alice_kr,
                {"progress": 100.0, "status": "achieved"},
                SET_BY_THE_ADDON,
            ),
            (
                kr,
                self.alice_kr,
                {"company_id": self.other_company.id},
                SET_BY_THE_ADDON,
            ),
            (objective, self.alice_objective, {"score": 1.0}, SET_BY_THE_ADDON),
            (objective, self.alice_objective, {"status": "achieved"}, SET_BY_THE_ADDON),
            (checkin, self.alice_checkin, {"source": "auto"}, CHECKIN_FIXED),
            (checkin, self.alice_checkin, {"user_id": self.bob.id}, CHECKIN_FIXED),
            (checkin, self.alice_checkin, {"progress": 100.0}, CHECKIN_FIXED),
            (checkin, self.alice_checkin, {"date": "2026-10-01"}, CHECKIN_FIXED),
            (
                objective,
                self.alice_objective,
                {"child_ids": [[2, self.bob_child.id]]},
                "only its owner",
            ),
            (kr, self.closed_kr, {"target_value": 7.0}, CLOSED),
            (objective, self.closed_objective, {"name": "Renamed"}, CLOSED),
            (checkin, self.closed_checkin, {"note": "Later"}, CLOSED),
        ]
        for model, record, vals, message in cases:
            with self.subTest(model=model, record=record.display_name, vals=vals):
                fnames = list(vals)
                if model == kr:
                    fnames += ["objective_id", "progress", "company_id"]
                before = self.snapshot(record, fnames)
                error = self.call(model, "write", record.ids, vals)
                self.assertTrue(error, "accepted")
                self.assertEqual(error["name"], "odoo.exceptions.UserError")
                self.assertIn(message, error["message"])
                self.assertEqual(self.snapshot(record, fnames), before)

    def test_hostile_creates_and_deletes(self):
        error = self.call(
            "okr.objective",
            "create",
            [{"name": "Achieved", "cycle_id": self.cycle.id, "score": 1.0}],
        )
        self.assertIn(SET_BY_THE_ADDON, error["message"])
        self.assertFalse(self.env["okr.objective"].search([("name", "=", "Achieved")]))
        error = self.call(
            "okr.checkin",
            "create",
            [{"key_result_id": self.closed_kr.id, "value": 10.0}],
        )
        self.assertIn(CLOSED, error["message"])
        self.assertEqual(self.closed_kr.checkin_ids, self.closed_checkin)
        # Deleting Bob's key result of her objective, with his check-in: archived.
        bob_part = self._create_key_result(
            self.alice_objective, 0.0, 10.0, name="Bob's part", user_id=self.bob.id
        )
        bob_checkin = (
            self.env["okr.checkin"]
            .with_user(self.bob)
            .create({"key_result_id": bob_part.id, "value": 10.0})
        )
        self.assertIsNone(self.call("okr.key.result", "unlink", bob_part.ids))
        self.assertFalse(bob_part.active)
        self.assertTrue(bob_checkin.exists())
        # Reopening a cycle is a manager's.
        error = self.call("okr.cycle", "action_reopen", self.closed_cycle.ids)
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.closed_cycle.state, "closed")
