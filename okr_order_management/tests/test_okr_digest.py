from datetime import date

from odoo import Command
from odoo.tests import tagged

from .metric_common import MetricCase, local

KPIS = (
    "kpi_okr_key_result_at_risk",
    "kpi_okr_key_result_off_track",
    "kpi_okr_checkin_overdue",
    "kpi_okr_objective_achieved",
)
#: When the digest is sent: mid-Q4 (pace 50 %), Monday 2026-11-16 in Shanghai.
SENT_AT = local(2026, 11, 16, 9, 0)
#: When the key results were set up: the second day of Q4.
SET_UP_AT = local(2026, 10, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestOkrDigest(MetricCase):
    """The OKR KPIs of Odoo's periodic digest, as digest computes them for a
    recipient: what stands in the digest's company, as the recipient may read
    it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.company_user("okr_digest_owner", "base.group_user")
        cls.owner.tz = "Asia/Shanghai"
        cls.digest = cls.env["digest.digest"].create(
            {
                "name": "OKR weekly",
                "company_id": cls.company.id,
                "periodicity": "weekly",
                **dict.fromkeys(KPIS, True),
            }
        )

    def _objective(self, name, cycle=None, env=None):
        return (env or self.env)["okr.objective"].create(
            {
                "name": name,
                "cycle_id": (cycle or self.cycle).id,
                "company_id": (cycle or self.cycle).company_id.id,
                "user_id": self.owner.id,
            }
        )

    def _key_result(self, objective, name, target=100.0, **vals):
        return objective.env["okr.key.result"].create(
            {
                "name": name,
                "objective_id": objective.id,
                "start_value": 0.0,
                "target_value": target,
                **vals,
            }
        )

    def _checkin(self, key_result, day, value):
        Checkin = self.env["okr.checkin"].with_user(self.owner)
        if key_result.company_id != self.company:
            Checkin = Checkin.sudo()  # the owner works for the first company only
        Checkin.create({"key_result_id": key_result.id, "date": day, "value": value})

    def _kpis(self, user, company=None):
        """``{kpi: value of the first column}`` as digest computes them."""
        with self.at(SENT_AT):
            kpis = self.digest._compute_kpis(company or self.company, user)
        return {kpi["kpi_name"]: kpi["kpi_col1"]["value"] for kpi in kpis}

    def _set_up_quarter(self):
        q3 = self.env["okr.cycle"].create(
            {
                "name": "2026 Q3 Shanghai",
                "date_start": date(2026, 7, 1),
                "date_end": date(2026, 9, 30),
                "company_id": self.company.id,
                "state": "active",
            }
        )
        other_cycle = (
            self.env["okr.cycle"]
            .sudo()
            .create(
                {
                    "name": "2026 Q4 Other",
                    "date_start": date(2026, 10, 1),
                    "date_end": date(2026, 12, 31),
                    "company_id": self.other_company.id,
                    "state": "active",
                }
            )
        )
        with self.at(SET_UP_AT):
            achieved = self._objective("Same-day order entry")
            kr_achieved = self._key_result(achieved, "Orders entered same day", 10.0)
            slipping = self._objective("Customers wait less")
            krs = {
                name: self._key_result(slipping, name)
                for name in ("at risk", "at risk, late", "off track, late", "never")
            }
            krs["metric"] = self.key_result("revenue", objective_id=slipping.id)
            krs["archived"] = self._key_result(slipping, "archived, off track")
            closed = self._objective("Last quarter's", cycle=q3)
            kr_closed_achieved = self._key_result(closed, "Q3 achieved", 10.0)
            kr_closed_at_risk = self._key_result(
                self._objective("Last quarter's slip", cycle=q3), "Q3 at risk"
            )
            other = self._objective("Other company's", other_cycle, self.env(su=True))
            kr_other = self._key_result(other, "Other company off track")
        with self.at(local(2026, 11, 12, 9, 0)):
            krs["new"] = self._key_result(slipping, "new, no check-in yet")
        with self.at(SENT_AT):
            for key_result, day, value in (
                (kr_achieved, date(2026, 11, 12), 10.0),
                (krs["at risk"], date(2026, 11, 14), 35.0),
                (krs["at risk, late"], date(2026, 11, 5), 30.0),
                (krs["off track, late"], date(2026, 11, 1), 10.0),
                (krs["archived"], date(2026, 11, 15), 5.0),
                (kr_closed_achieved, date(2026, 9, 20), 10.0),
                (kr_closed_at_risk, date(2026, 9, 25), 80.0),
                (kr_other, date(2026, 11, 15), 10.0),
            ):
                self._checkin(key_result, day, value)
            krs["archived"].active = False
            q3.write({"state": "closed"})
            self.env.flush_all()
        self.assertEqual(achieved.status, "achieved")
        self.assertEqual(closed.status, "achieved")
        self.assertEqual(kr_closed_at_risk.status, "at_risk")
        self.assertEqual(kr_other.status, "off_track")
        self.assertEqual(krs["archived"].status, "off_track")
        return krs

    def test_kpis_of_the_digests_company(self):
        krs = self._set_up_quarter()
        self.assertEqual(
            [
                krs[name].status
                for name in ("at risk", "at risk, late", "off track, late")
            ],
            ["at_risk", "at_risk", "off_track"],
        )
        self.assertEqual(
            self._kpis(self.owner),
            {
                "kpi_okr_key_result_at_risk": 2,
                "kpi_okr_key_result_off_track": 1,
                # "at risk, late", "off track, late" and "never": not the
                # key result checked in on the 14th, the one created on the
                # 12th, the metric one.
                "kpi_okr_checkin_overdue": 3,
                "kpi_okr_objective_achieved": 1,
            },
        )

    def test_same_figure_in_every_column(self):
        self._set_up_quarter()
        with self.at(SENT_AT):
            kpis = self.digest._compute_kpis(self.company, self.owner)
        off_track = next(
            k for k in kpis if k["kpi_name"] == "kpi_okr_key_result_off_track"
        )
        self.assertEqual(
            [off_track[f"kpi_col{col}"]["value"] for col in (1, 2, 3)], [1, 1, 1]
        )
        self.assertEqual(off_track["kpi_fullname"], "OKR: Key Results off Track")
        self.assertIn("okr_key_result_action", off_track["kpi_action"])

    def _recipient(self, login, companies):
        return self.env["res.users"].create(
            {
                "name": login,
                "login": login,
                "company_id": companies[0].id,
                "company_ids": [Command.set(companies.ids)],
                "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
                "tz": "Asia/Shanghai",
            }
        )

    def test_recipient_of_both_companies_counts_the_digests_only(self):
        """The other company's off-track key result and achieved objective are
        readable to this recipient, but not of the digest's company."""
        self._set_up_quarter()
        recipient = self._recipient(
            "okr_digest_both", self.company | self.other_company
        )
        self.assertEqual(
            self._kpis(recipient),
            {
                "kpi_okr_key_result_at_risk": 2,
                "kpi_okr_key_result_off_track": 1,
                "kpi_okr_checkin_overdue": 3,
                "kpi_okr_objective_achieved": 1,
            },
        )

    def test_recipient_outside_the_company_gets_no_okr_kpi(self):
        """As for digest's own KPIs: what the recipient may not read is left
        out of their e-mail, never counted for them."""
        self._set_up_quarter()
        outsider = self._recipient("okr_digest_outsider", self.other_company)
        self.assertFalse(
            set(KPIS) & set(self._kpis(outsider, company=self.other_company))
        )

    def test_default_digest_shows_the_okr_kpis(self):
        default = self.env.ref("digest.digest_digest_default")
        self.assertTrue(all(default[kpi] for kpi in KPIS))
