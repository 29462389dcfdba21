from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import Q4_END, Q4_START, OkrCase, create_okr_users


@tagged("post_install", "-at_install")
class TestOkrAccess(OkrCase):
    """Everybody reads the company's OKRs; people change what they own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.portal = new_test_user(
            cls.env, login="okr_portal", groups="base.group_portal"
        )
        cls.other_company = cls.env["res.company"].create({"name": "OKR Other Co"})
        cls.stranger = new_test_user(
            cls.env,
            login="okr_stranger",
            groups="base.group_user",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.alice_objective = cls._create_objective("Alice's", user_id=cls.alice.id)
        cls.alice_key_result = cls._create_key_result(
            cls.alice_objective, 0.0, 10.0, name="Alice's KR"
        )
        cls.bob_objective = cls._create_objective("Bob's", user_id=cls.bob.id)
        cls.bob_key_result = cls._create_key_result(
            cls.bob_objective, 0.0, 10.0, name="Bob's KR"
        )
        cls.alice_key_result_for_bob = cls._create_key_result(
            cls.bob_objective,
            0.0,
            10.0,
            name="Alice's KR for Bob",
            user_id=cls.alice.id,
        )
        cls.bob_checkin = (
            cls.env["okr.checkin"]
            .with_user(cls.bob)
            .create({"key_result_id": cls.bob_key_result.id, "value": 4.0})
        )
        cls.other_cycle = cls.env["okr.cycle"].create(
            {
                "name": "Other company Q4",
                "date_start": Q4_START,
                "date_end": Q4_END,
                "company_id": cls.other_company.id,
            }
        )
        cls.stranger_objective = cls._create_objective(
            "Stranger's",
            cycle_id=cls.other_cycle.id,
            company_id=cls.other_company.id,
            user_id=cls.stranger.id,
        )
        cls.stranger_key_result = cls._create_key_result(
            cls.stranger_objective, 0.0, 10.0, name="Stranger's KR"
        )
        # Whatever else the database holds, these tests look at their cycles.
        cls.cycles = cls.cycle | cls.other_cycle
        cls.ours = [("cycle_id", "in", cls.cycles.ids)]

    def test_group_of_internal_users(self):
        self.assertTrue(self.alice.has_group("okr_order_management.group_okr_user"))
        self.assertFalse(self.alice.has_group("okr_order_management.group_okr_manager"))
        self.assertTrue(self.manager.has_group("okr_order_management.group_okr_user"))
        self.assertFalse(self.portal.has_group("okr_order_management.group_okr_user"))

    # Plain users

    def test_user_reads_every_okr_of_the_company(self):
        env = self.env(user=self.alice)
        self.assertEqual(
            env["okr.objective"].search(self.ours),
            self.alice_objective | self.bob_objective,
        )
        self.assertEqual(
            env["okr.key.result"].search(self.ours),
            self.alice_key_result | self.bob_key_result | self.alice_key_result_for_bob,
        )
        self.assertEqual(env["okr.checkin"].search(self.ours), self.bob_checkin)
        self.assertEqual(
            env["okr.cycle"].search([("id", "in", self.cycles.ids)]), self.cycle
        )
        bob_objective = env["okr.objective"].browse(self.bob_objective.id)
        self.assertEqual(bob_objective.name, "Bob's")
        self.assertEqual(bob_objective.key_result_ids.mapped("current_value"), [4.0, 0])
        self.assertAlmostEqual(bob_objective.progress, 20.0)

    def test_user_creates_an_objective_they_own(self):
        Objective = self.env["okr.objective"].with_user(self.alice)
        objective = Objective.create({"name": "Mine", "cycle_id": self.cycle.id})
        self.assertEqual(objective.user_id, self.alice)
        self.assertEqual(objective.company_id, self.company)
        key_result = (
            self.env["okr.key.result"]
            .with_user(self.alice)
            .create(
                {
                    "name": "Mine too",
                    "objective_id": objective.id,
                    "start_value": 0.0,
                    "target_value": 4.0,
                    "current_value": 1.0,
                }
            )
        )
        self.assertEqual(key_result.user_id, self.alice)
        self.assertAlmostEqual(objective.progress, 25.0)
        objective.name = "Mine, renamed"
        self.assertEqual(objective.name, "Mine, renamed")
        with self.assertRaises(AccessError):
            Objective.create(
                {"name": "For Bob", "cycle_id": self.cycle.id, "user_id": self.bob.id}
            )
        objective.unlink()
        self.assertFalse(objective.exists())
        self.assertFalse(key_result.exists())

    def test_user_cannot_change_someone_elses_objective(self):
        bob_objective = self.bob_objective.with_user(self.alice)
        with self.assertRaises(AccessError):
            bob_objective.write({"name": "Alice's now"})
        with self.assertRaises(AccessError):
            bob_objective.write({"user_id": self.alice.id})
        with self.assertRaises(AccessError):
            bob_objective.unlink()
        self.bob_objective.invalidate_recordset()
        self.assertEqual(self.bob_objective.name, "Bob's")
        self.assertEqual(self.bob_objective.user_id, self.bob)

    def test_user_changes_their_key_results_only(self):
        KeyResult = self.env["okr.key.result"].with_user(self.alice)
        # Key results of their objective, and theirs in someone else's.
        for key_result in (self.alice_key_result, self.alice_key_result_for_bob):
            with self.subTest(key_result=key_result.name):
                key_result.with_user(self.alice).current_value = 5.0
                key_result.invalidate_recordset()
                self.assertEqual(key_result.current_value, 5.0)
        self.bob_objective.invalidate_recordset()
        self.assertAlmostEqual(self.bob_objective.progress, 45.0)
        # Not someone else's key result of someone else's objective.
        bob_key_result = KeyResult.browse(self.bob_key_result.id)
        with self.assertRaises(AccessError):
            bob_key_result.current_value = 10.0
        with self.assertRaises(AccessError):
            bob_key_result.unlink()
        with self.assertRaises(AccessError):
            KeyResult.create(
                {
                    "name": "In Bob's objective",
                    "objective_id": self.bob_objective.id,
                    "target_value": 3.0,
                }
            )
        self.bob_key_result.invalidate_recordset()
        self.assertEqual(self.bob_key_result.current_value, 4.0)
        self.assertTrue(self.bob_key_result.exists())

    def test_key_result_owner_cannot_add_or_remove_in_others_objective(self):
        """Owning a key result of Bob's objective lets Alice edit it, no more."""
        KeyResult = self.env["okr.key.result"].with_user(self.alice)
        with self.assertRaises(AccessError):
            KeyResult.create(
                {
                    "name": "Alice's own KR in Bob's objective",
                    "objective_id": self.bob_objective.id,
                    "user_id": self.alice.id,
                    "target_value": 3.0,
                }
            )
        with self.assertRaises(AccessError):
            self.alice_key_result_for_bob.with_user(self.alice).unlink()
        self.assertTrue(self.alice_key_result_for_bob.exists())
        # Bob, who owns the objective, removes it.
        self.alice_key_result_for_bob.with_user(self.bob).unlink()
        self.assertFalse(self.alice_key_result_for_bob.exists())

    def test_user_cannot_manage_cycles_or_tags(self):
        env = self.env(user=self.alice)
        with self.assertRaises(AccessError):
            env["okr.cycle"].create(
                {"name": "Mine", "date_start": "2027-01-01", "date_end": "2027-03-31"}
            )
        with self.assertRaises(AccessError):
            env["okr.cycle"].browse(self.cycle.id).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            env["okr.cycle.generate"].create({"year": 2030})
        with self.assertRaises(AccessError):
            env["okr.tag"].create({"name": "Mine"})
        self.cycle.invalidate_recordset()
        self.assertEqual(self.cycle.name, "2026 Q4")

    # Managers

    def test_manager_manages_cycles(self):
        Cycle = self.env["okr.cycle"].with_user(self.manager)
        cycle = Cycle.create(
            {"name": "2027 Q1", "date_start": "2027-01-01", "date_end": "2027-03-31"}
        )
        self.assertEqual(cycle.company_id, self.company)
        cycle.action_activate()
        self.assertEqual(cycle.state, "active")
        action = cycle.action_close()
        self.env[action["res_model"]].with_user(self.manager).browse(
            action["res_id"]
        ).action_confirm()
        self.assertEqual(cycle.state, "closed")
        self.env["okr.tag"].with_user(self.manager).create({"name": "Ops"})
        cycle.unlink()
        self.assertFalse(cycle.exists())

    def test_manager_changes_anyones_okrs(self):
        objective = self.bob_objective.with_user(self.manager)
        objective.write({"name": "Bob's, reviewed", "user_id": self.alice.id})
        self.assertEqual(objective.name, "Bob's, reviewed")
        self.assertEqual(objective.user_id, self.alice)
        key_result = self.bob_key_result.with_user(self.manager)
        key_result.current_value = 10.0
        self.assertEqual(key_result.progress, 100.0)
        key_result.unlink()
        self.alice_objective.with_user(self.manager).unlink()
        self.assertFalse(self.alice_objective.exists())

    # Outsiders

    def test_portal_user_reads_nothing(self):
        env = self.env(user=self.portal)
        for model in ("okr.objective", "okr.key.result", "okr.checkin", "okr.cycle"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                env[model].search([])
        with self.assertRaises(AccessError):
            env["okr.objective"].browse(self.alice_objective.id).read(["name"])
        with self.assertRaises(AccessError):
            env["okr.key.result"].browse(self.alice_key_result.id).read(["name"])

    def test_user_of_another_company_sees_nothing_of_the_first(self):
        env = self.env(user=self.stranger)
        self.assertEqual(env.company, self.other_company)
        self.assertEqual(
            env["okr.objective"].search(self.ours), self.stranger_objective
        )
        self.assertEqual(
            env["okr.key.result"].search(self.ours), self.stranger_key_result
        )
        self.assertEqual(
            env["okr.cycle"].search([("id", "in", self.cycles.ids)]), self.other_cycle
        )
        self.assertFalse(env["okr.checkin"].search(self.ours))
        with self.assertRaises(AccessError):
            env["okr.objective"].browse(self.alice_objective.id).read(["name"])
        with self.assertRaises(AccessError):
            env["okr.key.result"].browse(self.bob_key_result.id).read(["name"])
        with self.assertRaises(AccessError):
            env["okr.cycle"].browse(self.cycle.id).read(["name"])
        # Nor does the first company see theirs.
        self.assertFalse(
            self.env["okr.objective"]
            .with_user(self.alice)
            .search([("id", "=", self.stranger_objective.id)])
        )

    # Check-ins

    def test_checkin_refused_on_a_key_result_they_cannot_change(self):
        Checkin = self.env["okr.checkin"].with_user(self.alice)
        with self.assertRaises(UserError) as error:
            Checkin.create({"key_result_id": self.bob_key_result.id, "value": 9.0})
        self.assertEqual(
            str(error.exception),
            "You cannot check in on “Bob's KR”: only its owner "
            f"({self.bob.name}), the owner of its objective and OKR managers can.",
        )
        self.bob_key_result.invalidate_recordset()
        self.assertEqual(self.bob_key_result.checkin_ids, self.bob_checkin)
        self.assertEqual(self.bob_key_result.current_value, 4.0)
        # Their own key result in someone else's objective is fine.
        checkin = Checkin.create(
            {"key_result_id": self.alice_key_result_for_bob.id, "value": 7.0}
        )
        self.assertEqual(checkin.user_id, self.alice)
        self.assertEqual(self.alice_key_result_for_bob.current_value, 7.0)
        # And a manager checks in on anybody's.
        self.env["okr.checkin"].with_user(self.manager).create(
            {"key_result_id": self.bob_key_result.id, "value": 9.0}
        )
        self.assertEqual(self.bob_key_result.current_value, 9.0)
