from contextlib import closing
from itertools import count

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .access_matrix import (
    CORE_MODEL_READERS,
    CORE_MODEL_USER_FIELDS,
    MATRIX,
    PROFILES,
    SUBJECTS,
    allowed,
)
from .common import Q4_END, Q4_START, call_kw

MODULE = "okr_order_management"
OPERATIONS = {"c": "create", "r": "read", "w": "write", "u": "unlink"}
#: A record created as asked keeps these: its owner or author, its source,
#: its creator (which the ORM sets, whatever is sent).
IDENTITY_FIELDS = ("user_id", "source", "create_uid")
#: A field each profile reads, and a harmless change, by model.
READ_FIELD = {
    "okr.objective": "name",
    "okr.key.result": "name",
    "okr.checkin": "value",
    "okr.cycle": "name",
    "okr.tag": "name",
    "okr.metric": "name",
    "okr.cycle.generate": "year",
    "okr.recompute.request": "changed_to",
    "okr.cycle.close": "grace_hours",
    "okr.cycle.close.line": "miss_note",
}
WRITE_VALS = {
    "okr.objective": {"name": "Renamed by the matrix"},
    "okr.key.result": {"name": "Renamed by the matrix"},
    "okr.checkin": {"note": "Edited by the matrix"},
    "okr.cycle": {"name": "Renamed by the matrix"},
    "okr.tag": {"color": 3},
    "okr.metric": {"description": "Edited by the matrix"},
    "okr.cycle.generate": {"year": 2032},
    "okr.recompute.request": {"changed_to": "2026-11-17 10:00:00"},
    "okr.cycle.close": {"grace_hours": 3},
    "okr.cycle.close.line": {"miss_note": "Edited by the matrix"},
}
#: The transient models of the table, each the record of whoever opened it.
WIZARDS = ("okr.cycle.generate", "okr.cycle.close", "okr.cycle.close.line")
#: Errors that refuse an operation: the ORM's rules, or the addon's.
REFUSALS = (
    "odoo.exceptions.AccessError",
    "odoo.exceptions.UserError",
    # The public user has no session: call_kw wants a logged-in user.
    "odoo.http.SessionExpiredException",
)


def addon_models(registry):
    """The models of the addon that hold records: those it defines and those
    named ``okr.*`` (abstract models hold none, so no rule applies)."""
    return sorted(
        name
        for name, model in registry.items()
        if (model._original_module == MODULE or name.startswith("okr."))
        and not model._abstract
    )


def render_markdown():
    """The table as the README shows it: models x profiles, with footnotes
    for the records a row is about."""
    notes = []
    lines = [
        "| Model | Records | " + " | ".join(PROFILES.values()) + " |",
        "|---|---|" + "---|" * len(PROFILES),
    ]
    for model, rows in MATRIX.items():
        for subject, by_profile in rows.items():
            if subject not in notes:
                notes.append(subject)
            cells = [
                " ".join(letter for letter in OPERATIONS if letter in letters) or "—"
                for letters in by_profile
            ]
            label = SUBJECTS[subject][0]
            number = notes.index(subject) + 1
            lines.append(
                f"| `{model}` | {label} [{number}] | " + " | ".join(cells) + " |"
            )
    lines += [
        "",
        "c: create, r: read, w: write, u: unlink; —: none. Every cell is tried "
        "as that user, through the ORM and through JSON-RPC "
        "(`tests/test_okr_access_matrix.py`); refused is an access error, the "
        "addon's error (someone else's check-in), or a record not created as "
        "asked. The records are of the user's company (the first company for "
        "the user of another company). There is no internal user without an "
        "OKR group: every internal user is an OKR user.",
        "",
    ]
    lines += [
        f"{number}. {SUBJECTS[subject][0]}: {SUBJECTS[subject][1]}."
        for number, subject in enumerate(notes, 1)
    ]
    return "\n".join(lines) + "\n"


class AccessMatrixMixin:
    """Users of every profile, and records of every row of the table, built
    for the user who tries them."""

    @classmethod
    def _setup_matrix(cls):
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Matrix Other Co"})
        cls.colleague = new_test_user(
            cls.env, login="matrix_colleague", groups="base.group_user"
        )
        cls.profiles = {
            "user": new_test_user(
                cls.env, login="matrix_user", groups="base.group_user"
            ),
            "manager": new_test_user(
                cls.env,
                login="matrix_manager",
                groups=f"base.group_user,{MODULE}.group_okr_manager",
            ),
            "portal": new_test_user(
                cls.env, login="matrix_portal", groups="base.group_portal"
            ),
            "public": cls.env.ref("base.public_user"),
            "other_company": new_test_user(
                cls.env,
                login="matrix_other_company",
                groups="base.group_user",
                company_id=cls.other_company.id,
                company_ids=[Command.set(cls.other_company.ids)],
            ),
        }
        cls.cycle = cls.env["okr.cycle"].create(
            {
                "name": "Matrix 2026 Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.company.id,
                "state": "active",
            }
        )
        cls.serial = count()

    def _objective(self, owner):
        return self.env["okr.objective"].create(
            {
                "name": f"Objective of {owner.login}",
                "cycle_id": self.cycle.id,
                "company_id": self.company.id,
                "user_id": owner.id,
            }
        )

    def _key_result(self, objective, owner):
        return self.env["okr.key.result"].create(
            {
                "name": f"Key result of {owner.login}",
                "objective_id": objective.id,
                "user_id": owner.id,
                "target_value": 10.0,
            }
        )

    def build(self, model, subject, actor):
        """``(vals, make)``: the values of a record of this row for ``actor``
        to create, and a function creating it as the superuser (which keeps a
        check-in's author and source)."""
        colleague = self.colleague
        serial = next(self.serial)
        owner = actor if subject == "own" else colleague
        if model == "okr.objective":
            vals = {
                "name": f"Matrix objective {serial}",
                "cycle_id": self.cycle.id,
                "company_id": self.company.id,
                "user_id": owner.id,
            }
        elif model == "okr.key.result":
            objective = self._objective(
                actor if subject == "of_own_objective" else colleague
            )
            vals = {
                "name": f"Matrix key result {serial}",
                "objective_id": objective.id,
                "user_id": owner.id,
                "target_value": 10.0,
            }
        elif model == "okr.checkin":
            on_colleague_kr = subject in ("colleague", "own_on_colleague_kr")
            kr_owner = colleague if on_colleague_kr else actor
            key_result = self._key_result(self._objective(kr_owner), kr_owner)
            vals = {
                "key_result_id": key_result.id,
                "value": 4.0,
                "user_id": (colleague if subject == "colleague" else actor).id,
                "source": "manual",
            }
            if subject == "automatic":
                vals.update(source="auto", user_id=self.env.user.id)
        elif model == "okr.cycle":
            vals = {
                "name": f"Matrix cycle {serial}",
                "date_start": "2027-01-01",
                "date_end": "2027-03-31",
                "company_id": self.company.id,
            }
        elif model == "okr.tag":
            vals = {"name": f"Matrix tag {serial}"}
        elif model == "okr.metric":
            vals = {
                "name": f"Matrix metric {serial}",
                "code": f"matrix_metric_{serial}",
                "model_id": self.env["ir.model"]._get_id("okr.objective"),
                "date_field_id": self.env["ir.model.fields"]
                ._get("okr.objective", "create_date")
                .id,
                "aggregate": "count",
                "company_id": self.company.id if subject == "company" else False,
            }
        elif model in WIZARDS:
            # A wizard is its opener's: created as them.
            vals = self._wizard_vals(model, owner)
            return (
                dict(vals, create_uid=owner.id),
                lambda: self.env[model].with_user(owner).sudo().create(vals),
            )
        elif model == "okr.recompute.request":
            vals = {
                "model_name": "sale.order",
                "company_id": self.company.id,
                "changed_from": "2026-11-16 10:00:00",
                "changed_to": "2026-11-16 10:00:00",
            }
        else:
            raise NotImplementedError(f"No records built for {model}: add them.")
        return vals, lambda: self.env[model].create(vals)

    def _wizard_vals(self, model, owner):
        if model == "okr.cycle.generate":
            return {"year": 2031, "company_id": self.company.id}
        vals = {"cycle_id": self.cycle.id}
        if model == "okr.cycle.close.line":
            wizard = self.env["okr.cycle.close"].with_user(owner).sudo()
            vals = {
                "wizard_id": wizard.create(vals).id,
                "key_result_id": self._key_result(self._objective(owner), owner).id,
            }
        return vals

    def as_asked(self, record, vals):
        """Whether ``record`` (created by the user) is what they asked for."""
        record = record.sudo()
        return all(
            record._fields[fname].convert_to_write(record[fname], record) == vals[fname]
            for fname in IDENTITY_FIELDS
            if fname in vals
        )

    def check_matrix(self, try_cell, enter_profile=None):
        """Try every cell with ``try_cell(model, subject, profile, letter)``
        (True: done as asked, else the reason of the refusal) in a savepoint
        rolled back after it, and fail with every cell that drifts.
        ``enter_profile(profile)`` is called before the cells of a profile."""
        drifts = []
        cells = [
            (profile, model, subject, letter)
            for profile in PROFILES
            for model, rows in MATRIX.items()
            for subject in rows
            for letter in OPERATIONS
        ]
        current = None
        for profile, model, subject, letter in cells:
            if enter_profile and profile != current:
                enter_profile(profile)
                current = profile
            with closing(self.env.cr.savepoint()):
                outcome = try_cell(model, subject, profile, letter)
            expected = letter in allowed(model, subject, profile)
            if (outcome is True) != expected:
                drifts.append(
                    f"{model} / {subject} / {profile} / {OPERATIONS[letter]}: "
                    f"table says {'allowed' if expected else 'refused'}, "
                    f"got {'allowed' if outcome is True else outcome}"
                )
        self.assertFalse(drifts, "The access table drifted:\n" + "\n".join(drifts))


@tagged("post_install", "-at_install")
class TestOkrAccessMatrix(AccessMatrixMixin, TransactionCase):
    """The access table holds, cell by cell, through the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_matrix()

    def test_every_model_has_a_row(self):
        self.assertEqual(
            addon_models(self.env.registry),
            sorted(MATRIX),
            "Every model of the addon has a row in tests/access_matrix.py, "
            "and every row a model.",
        )
        self.assertIn("okr.cycle.generate", MATRIX)
        self.assertIn("okr.recompute.request", MATRIX)
        for model, rows in MATRIX.items():
            for subject, by_profile in rows.items():
                self.assertIn(subject, SUBJECTS)
                self.assertEqual(len(by_profile), len(PROFILES), model)
                for letters in by_profile:
                    self.assertLessEqual(set(letters), set(OPERATIONS), model)

    def test_no_internal_user_without_okr_groups(self):
        """Internal users are OKR users: the table has no column for others."""
        internal = self.env.ref("base.group_user")
        self.assertIn(
            self.env.ref(f"{MODULE}.group_okr_user"), internal.trans_implied_ids
        )
        self.assertTrue(
            self.profiles["other_company"].has_group(f"{MODULE}.group_okr_user")
        )
        for profile in ("portal", "public"):
            self.assertFalse(
                self.profiles[profile].has_group(f"{MODULE}.group_okr_user")
            )

    def test_matrix_through_the_orm(self):
        self.check_matrix(self.try_cell)

    def try_cell(self, model, subject, profile, letter):
        actor = self.profiles[profile]
        vals, make = self.build(model, subject, actor)
        record = self.env[model] if letter == "c" else make()
        self.env.flush_all()
        record = record.with_user(actor)
        try:
            with mute_logger("odoo.models", "odoo.addons.base.models.ir_rule"):
                if letter == "c":
                    record = record.create(dict(vals))
                elif letter == "r":
                    record.read([READ_FIELD[model]])
                elif letter == "w":
                    record.write(WRITE_VALS[model])
                else:
                    record.unlink()
                self.env.flush_all()
        except ValidationError:
            raise  # the records of the row are wrong, not the rules
        except (AccessError, UserError) as error:
            return type(error).__name__
        if letter == "c" and not self.as_asked(record, vals):
            return "created, not as asked"
        if letter == "u" and record.sudo().exists():
            return "not deleted"
        return True

    def test_fields_added_to_core_models(self):
        """The order facts are read by those who read the documents."""
        extended = sorted(
            name
            for name, model in self.env.registry.items()
            if not name.startswith("okr.")
            and any(fname.startswith("okr_") for fname in model._fields)
        )
        self.assertEqual(
            extended,
            sorted(CORE_MODEL_READERS),
            "Every core model with okr_ fields says in tests/access_matrix.py "
            "who reads them.",
        )
        partner = self.env["res.partner"].create({"name": "Matrix customer"})
        for model_name, group in CORE_MODEL_READERS.items():
            reader = new_test_user(
                self.env,
                login=f"matrix_reader_{model_name}",
                groups=f"base.group_user,{group}",
            )
            record = self._core_record(model_name, partner, reader)
            okr_fields = [fname for fname in record._fields if fname.startswith("okr_")]
            with self.subTest(model=model_name):
                [values] = record.with_user(reader).read(okr_fields)
                self.assertLessEqual(set(okr_fields), set(values))
            # ...and written by the addon only, whatever the user may edit.
            for fname in okr_fields:
                field = record._fields[fname]
                if not field.store or fname in CORE_MODEL_USER_FIELDS.get(
                    model_name, ()
                ):
                    continue
                with (
                    self.subTest(model=model_name, field=fname),
                    closing(self.env.cr.savepoint()),
                ):
                    self.assertFalse(
                        self._writes(record.with_user(reader), field),
                        f"{model_name}.{fname} is a fact of the addon: a user "
                        "cannot write it",
                    )

    def _writes(self, record, field):
        """Whether ``record``'s user changes ``field`` by writing it."""
        before = record.sudo()[field.name]
        if field.type == "many2one":
            value = (
                self.env[field.comodel_name]
                .search([("id", "!=", before.id)], limit=1)
                .id
            )
        else:
            value = {
                "boolean": not before,
                "float": 123.0,
                "integer": 123,
                "monetary": 123.0,
                "datetime": "2020-01-01 00:00:00",
            }[field.type]
        try:
            with mute_logger("odoo.models"):
                record.write({field.name: value})
                self.env.flush_all()
        except UserError:
            return False
        record.invalidate_recordset()
        return record.sudo()[field.name] != before

    def _core_record(self, model_name, partner, reader):
        if model_name == "sale.order":
            return self.env["sale.order"].create(
                {"partner_id": partner.id, "user_id": reader.id}
            )
        if model_name == "stock.picking":
            warehouse = self.env["stock.warehouse"].search(
                [("company_id", "=", self.company.id)], limit=1
            )
            return self.env["stock.picking"].create(
                {"partner_id": partner.id, "picking_type_id": warehouse.out_type_id.id}
            )
        if model_name == "res.company":
            return self.company
        if model_name == "res.config.settings":
            return self.env["res.config.settings"].create({})
        if model_name == "rating.rating":
            order = self.env["sale.order"].create({"partner_id": partner.id})
            return self.env["rating.rating"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("sale.order"),
                    "res_id": order.id,
                    "partner_id": partner.id,
                    "rating": 5,
                    "consumed": True,
                }
            )
        if model_name == "project.task":
            objective = self.env["okr.objective"].create(
                {"name": "Matrix task objective", "cycle_id": self.cycle.id}
            )
            key_result = self.env["okr.key.result"].create(
                {
                    "name": "Matrix task key result",
                    "objective_id": objective.id,
                    "target_value": 10.0,
                }
            )
            return self.env["project.task"].create(
                {"name": "Matrix task", "okr_key_result_id": key_result.id}
            )
        return partner


@tagged("post_install", "-at_install")
class TestOkrAccessMatrixRpc(AccessMatrixMixin, HttpCase):
    """The same table, as a client sends the operations: JSON-RPC through
    /web/dataset/call_kw, logged in as each profile (the public user is not
    logged in)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_matrix()

    def call(self, model, method, *args, **kwargs):
        return call_kw(self, model, method, *args, **kwargs)

    def test_matrix_through_json_rpc(self):
        self.check_matrix(self.try_cell, enter_profile=self.log_in)

    def log_in(self, profile):
        user = self.profiles[profile]
        if profile == "public":
            self.authenticate(None, None)
        else:
            self.authenticate(user.login, user.login)

    def try_cell(self, model, subject, profile, letter):
        vals, make = self.build(model, subject, self.profiles[profile])
        record = self.env[model] if letter == "c" else make()
        if letter == "c":
            reply = self.call(model, "create", dict(vals))
        elif letter == "r":
            reply = self.call(
                model,
                "search_read",
                [("id", "=", record.id)],
                fields=[READ_FIELD[model]],
            )
            if reply.get("result") == []:
                return "not found"
        elif letter == "w":
            reply = self.call(model, "write", record.ids, WRITE_VALS[model])
        else:
            reply = self.call(model, "unlink", record.ids)
        if "error" in reply:
            name = reply["error"]["data"]["name"]
            self.assertIn(name, REFUSALS, reply["error"]["data"]["message"])
            return name.rpartition(".")[2]
        if letter == "c":
            record = self.env[model].browse(reply["result"])
            if not self.as_asked(record, vals):
                return "created, not as asked"
        if letter == "u" and record.sudo().exists():
            return "not deleted"
        return True
