from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import Q4_END, Q4_START, OkrCase, call_kw, create_okr_users

SAME_CYCLE = "aligns only to an objective of its own cycle and company"
ONLY_OWNER = "so only its owner (okr_bob"


class AlignmentCase(OkrCase):
    """Bob (a plain OKR user) owns a company objective measured by a key
    result at 40 %, with two aligned objectives at 20 % and 80 %; Alice (a
    plain OKR user) owns one of her own; another cycle and another company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.department = cls.env["hr.department"].create({"name": "Operations"})
        cls.parent = cls._create_objective(
            "Customers wait less", user_id=cls.bob.id, department_id=False
        )
        cls._create_key_result(cls.parent, 0.0, 100.0, 40.0, user_id=cls.bob.id)
        cls.children = cls.env["okr.objective"]
        for name, current in (("IT streamlines entry", 20.0), ("HR trains", 80.0)):
            child = cls._create_objective(
                name, user_id=cls.bob.id, parent_id=cls.parent.id, level="department"
            )
            cls._create_key_result(child, 0.0, 100.0, current, user_id=cls.bob.id)
            cls.children |= child
        cls.alice_objective = cls._create_objective(
            "Alice's", user_id=cls.alice.id, level="individual"
        )
        cls.next_cycle = cls.env["okr.cycle"].create(
            {"name": "2027 Q1", "date_start": "2027-01-01", "date_end": "2027-03-31"}
        )
        cls.next_objective = cls._create_objective(
            "Next quarter's", user_id=cls.bob.id, cycle_id=cls.next_cycle.id
        )
        cls.other_company = cls.env["res.company"].create({"name": "Tree Other Co"})
        other_cycle = cls.env["okr.cycle"].create(
            {
                "name": "2026 Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.other_company.id,
            }
        )
        cls.other_company_objective = cls._create_objective(
            "Other company's",
            cycle_id=other_cycle.id,
            company_id=cls.other_company.id,
        )

    def assertRefused(self, exception, message, func, *args):
        """``func(*args)`` raises ``exception`` saying ``message``; the
        savepoint of ``assertRaises`` undoes what it wrote."""
        with self.assertRaises(exception) as caught:
            func(*args)
        self.assertIn(message, str(caught.exception))
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestProgressSource(AlignmentCase):
    """An objective takes its progress from its key results (the default),
    from its aligned objectives, or from both, weighted."""

    def test_progress_sources(self):
        parent = self.parent
        self.assertEqual(parent.progress_source, "key_results")
        self.assertAlmostEqual(parent.progress, 40.0)
        parent.progress_source = "aligned"
        self.assertAlmostEqual(parent.progress, 50.0)  # (20 + 80) / 2
        parent.progress_source = "both"
        self.assertAlmostEqual(parent.progress, 45.0)  # 50 % of 40, 50 % of 50
        parent.aligned_weight = 20.0
        self.assertAlmostEqual(parent.progress, 42.0)  # 0.8 * 40 + 0.2 * 50
        self.assertEqual(parent.score, 0.42)
        # Upward flow: a change under it moves it.
        self.children[0].key_result_ids.current_value = 60.0
        self.assertAlmostEqual(parent.progress, 46.0)  # 0.8 * 40 + 0.2 * 70

    def test_a_side_with_nothing_to_measure_leaves_the_other(self):
        lone = self._create_objective("Nothing aligned", progress_source="both")
        self._create_key_result(lone, 0.0, 100.0, 30.0)
        self.assertAlmostEqual(lone.progress, 30.0)
        lone.progress_source = "aligned"
        self.assertAlmostEqual(lone.progress, 0.0)
        # Both, without key results: the aligned objectives' average.
        self.parent.key_result_ids.unlink()
        self.parent.progress_source = "both"
        self.assertAlmostEqual(self.parent.progress, 50.0)

    def test_aligned_weight_is_a_share(self):
        for weight in (-1.0, 100.5):
            with self.subTest(weight=weight):
                self.assertRefused(
                    ValidationError,
                    "“Aligned Objectives Weight” is a share in %",
                    self.parent.write,
                    {"aligned_weight": weight},
                )
        self.assertEqual(self.parent.aligned_weight, 50.0)


@tagged("post_install", "-at_install")
class TestAlignmentRules(AlignmentCase):
    """Aligning under an objective whose progress follows its aligned
    objectives needs the right to change it; an objective aligns within its
    cycle and company."""

    def test_rule_follows_the_progress_source(self):
        mine = self.alice_objective.with_user(self.alice)
        # Measured by its own key results: aligning under it is a link.
        mine.parent_id = self.parent
        self.assertEqual(self.alice_objective.parent_id, self.parent)
        mine.parent_id = False
        for source in ("aligned", "both"):
            with self.subTest(source=source):
                self.parent.progress_source = source
                self.assertRefused(
                    UserError, ONLY_OWNER, mine.write, {"parent_id": self.parent.id}
                )
                self.assertFalse(self.alice_objective.parent_id)
        # Rights on both: Bob may not move Alice's objective; a manager may.
        self.assertRefused(
            AccessError,
            "doesn't have 'write' access",
            self.parent.with_user(self.bob).write,
            {"child_ids": [Command.link(mine.id)]},
        )
        mine.with_user(self.manager).parent_id = self.parent
        self.assertEqual(self.alice_objective.parent_id, self.parent)

    def test_same_cycle_and_company(self):
        for parent in (self.next_objective, self.other_company_objective):
            with self.subTest(parent=parent.name):
                self.assertRefused(
                    ValidationError,
                    SAME_CYCLE,
                    self.alice_objective.write,
                    {"parent_id": parent.id},
                )
                self.assertFalse(self.alice_objective.parent_id)
        # Moving a parent to another cycle would leave its aligned ones behind.
        self.assertRefused(
            ValidationError,
            SAME_CYCLE,
            self.parent.write,
            {"cycle_id": self.next_cycle.id},
        )
        self.assertEqual(self.parent.cycle_id, self.cycle)

    def test_align_a_new_objective(self):
        """The card's button opens a new objective aligned to it, in its
        cycle and department, one level down; Alice saves it."""
        self.children[0].department_id = self.department
        action = self.children[0].with_user(self.alice).action_align_objective()
        form = Form(
            self.env["okr.objective"]
            .with_user(self.alice)
            .with_context(**action["context"])
        )
        form.name = "Automate order assignment"
        objective = form.save()
        self.assertRecordValues(
            objective,
            [
                {
                    "parent_id": self.children[0].id,
                    "cycle_id": self.cycle.id,
                    "department_id": self.department.id,
                    "level": "individual",
                    "user_id": self.alice.id,
                    "company_id": self.env.company.id,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestAlignmentTreeRpc(HttpCase, AlignmentCase):
    """The tree's calls as the web client sends them, as Alice: what she
    reads, and a drop (a write of ``parent_id``) where the rules allow it."""

    def setUp(self):
        super().setUp()
        self.authenticate(self.alice.login, self.alice.login)

    def drop(self, objective, parent):
        """What the tree sends when a card is dropped on another."""
        return call_kw(
            self, "okr.objective", "write", objective.ids, {"parent_id": parent.id}
        )

    def test_tree_reads_the_cycle(self):
        reply = call_kw(
            self,
            "okr.objective",
            "hierarchy_read",
            [("parent_id", "=", False), ("cycle_id", "=", self.cycle.id)],
            ["name", "progress", "status", "user_id", "child_ids"],
            "parent_id",
            "child_ids",
        )
        rows = {row["name"]: row for row in reply["result"]}
        self.assertEqual(set(rows), {"Customers wait less", "Alice's"})
        self.assertEqual(
            sorted(rows["Customers wait less"]["child_ids"]), self.children.ids
        )
        self.assertEqual(rows["Customers wait less"]["progress"], 40.0)

    def test_drop_where_the_rules_allow(self):
        refused = [
            (self.next_objective, "odoo.exceptions.ValidationError", SAME_CYCLE),
            # Another company's objective is not even hers to read.
            (self.other_company_objective, "odoo.exceptions.AccessError", ""),
        ]
        for parent, error, message in refused:
            with self.subTest(parent=parent.name):
                data = self.drop(self.alice_objective, parent)["error"]["data"]
                self.assertEqual(data["name"], error)
                self.assertIn(message, data["message"])
                self.assertFalse(self.alice_objective.parent_id)
        # A colleague's objective is not Alice's to move.
        data = self.drop(self.children[0], self.alice_objective)["error"]["data"]
        self.assertEqual(data["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.children[0].parent_id, self.parent)
        # Under Bob's objective measured by its key results: a link.
        self.assertNotIn("error", self.drop(self.alice_objective, self.parent))
        self.assertEqual(self.alice_objective.parent_id, self.parent)
        self.assertAlmostEqual(self.parent.progress, 40.0)
        # Under one whose progress follows its aligned objectives: Bob's call.
        self.parent.progress_source = "aligned"
        self.alice_objective.parent_id = False
        data = self.drop(self.alice_objective, self.parent)["error"]["data"]
        self.assertEqual(data["name"], "odoo.exceptions.UserError")
        self.assertIn(ONLY_OWNER, data["message"])
        self.assertFalse(self.alice_objective.parent_id)

    def test_plain_user_of_another_company_reads_nothing(self):
        stranger = new_test_user(
            self.env,
            login="tree_stranger",
            groups="base.group_user",
            company_id=self.other_company.id,
            company_ids=[Command.set(self.other_company.ids)],
        )
        self.authenticate(stranger.login, stranger.login)
        reply = call_kw(
            self,
            "okr.objective",
            "hierarchy_read",
            [("parent_id", "=", False)],
            ["name"],
            "parent_id",
            "child_ids",
        )
        self.assertEqual([row["name"] for row in reply["result"]], ["Other company's"])
