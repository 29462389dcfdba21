import io
import re
import unicodedata

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from .common import Q4_MIDDLE, call_kw
from .test_okr_cycle_close import AFTER_Q4, CloseCase

CYCLE_REPORT = "okr_order_management.action_report_okr_review"
OBJECTIVES_REPORT = "okr_order_management.action_report_okr_review_objective"
#: Odoo logs what wkhtmltopdf says on stderr as a warning: Debian's build
#: (unpatched Qt) says it ignores the header and footer.
REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"
NOTE = "The scanners arrived in December."


def plain_text(markup):
    """The words of HTML or of a PDF page's text, one space apart."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


class ReviewCase(CloseCase):
    """The close case's cycle, with its committed objective in Order Desk, its
    aspirational one in Customer Service, a key result far behind (red) and a
    task done, closed through the wizard with a reason for each miss."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Department = cls.env["hr.department"]
        cls.order_desk = Department.create({"name": "Order Desk"})
        cls.service = Department.create({"name": "Customer Service"})
        cls.committed.department_id = cls.order_desk
        cls.aspirational.department_id = cls.service
        (cls.kr_done + cls.kr_short).department_id = cls.order_desk
        (cls.kr_high + cls.kr_low).department_id = cls.service
        cls.kr_far = cls._create_key_result(
            cls.committed, 0.0, 10.0, 2.0, name="Scan every parcel"
        )
        cls.env["project.task"].create(
            {
                "name": "Assign orders by region",
                "okr_key_result_id": cls.kr_done.id,
                "state": "1_done",
            }
        )

    def close_with_reasons(self):
        """Close through the wizard, giving the key result far behind a
        reason and a note; the other misses keep the defaults."""
        with freeze_time(AFTER_Q4):
            wizard = self.open_wizard()
            self.line(wizard, self.kr_far).write(
                {"miss_reason": "execution", "miss_note": NOTE}
            )
            wizard.action_confirm()
        self.assertEqual(self.cycle.state, "closed")

    def render_html(self, report_ref, records):
        report = self.env.ref(report_ref)
        html, _format = report.with_env(records.env)._render_qweb_html(
            report.id, records.ids
        )
        return plain_text(html.decode())


@tagged("post_install", "-at_install")
class TestOkrReviewScreens(ReviewCase):
    """The quarter review's screens group the stored score band."""

    def test_score_band_follows_the_score(self):
        bands = {
            self.kr_done: ("green", 1.0),
            self.kr_short: ("yellow", 0.6),
            self.kr_high: ("green", 0.9),
            self.kr_low: ("yellow", 0.5),
            self.kr_far: ("red", 0.2),
        }
        for key_result, (band, score) in bands.items():
            self.assertEqual(key_result.score_band, band, key_result.name)
            self.assertEqual(key_result.score, score, key_result.name)
        self.kr_far.current_value = 4.0
        self.assertEqual(self.kr_far.score_band, "yellow", "0.4 is yellow")
        self.assertEqual(self.committed.score_band, "yellow")

    def test_review_counts_closed_key_results_by_department_and_band(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "okr_order_management.okr_review_key_result_action"
        )
        self.assertIn("search_default_closed_cycles", action["context"])
        KeyResult = self.env["okr.key.result"].with_user(self.alice)
        # The screens' default filter, on this test's cycle.
        closed = [("cycle_id.state", "=", "closed"), ("cycle_id", "=", self.cycle.id)]
        self.assertFalse(KeyResult.search_count(closed))
        self.close_with_reasons()
        groups = KeyResult.read_group(
            closed, ["score:avg"], ["department_id", "score_band"], lazy=False
        )
        counts = {
            (group["department_id"][1], group["score_band"]): group["__count"]
            for group in groups
        }
        self.assertEqual(
            counts,
            {
                ("Order Desk", "green"): 1,
                ("Order Desk", "yellow"): 1,
                ("Order Desk", "red"): 1,
                ("Customer Service", "green"): 1,
                ("Customer Service", "yellow"): 1,
            },
        )
        reasons = KeyResult.read_group(
            closed, [], ["department_id", "miss_reason", "commitment"], lazy=False
        )
        missed = {
            (group["department_id"][1], group["miss_reason"], group["commitment"])
            for group in reasons
            if group["miss_reason"]
        }
        self.assertEqual(
            missed,
            {
                ("Order Desk", "execution", "committed"),
                ("Order Desk", "other", "committed"),
                ("Customer Service", "other", "aspirational"),
            },
        )
        # Objectives Achieved: the aspirational one scored its expected 0.7.
        objectives = self.env["okr.objective"].with_user(self.alice)
        by_status = objectives.read_group(
            closed, [], ["department_id", "status"], lazy=False
        )
        self.assertEqual(
            {(g["department_id"][1], g["status"]): g["__count"] for g in by_status},
            {("Customer Service", "achieved"): 1, ("Order Desk", "missed"): 1},
        )


@tagged("post_install", "-at_install")
class TestOkrReviewReport(ReviewCase):
    """The review PDF's text, its numbers and who may print it."""

    def test_cycle_review_shows_every_objective_and_the_summary(self):
        self.close_with_reasons()
        text = self.render_html(CYCLE_REPORT, self.cycle.with_user(self.alice))
        self.assertIn("OKR Review: 2026 Q4", text)
        self.assertNotIn("not closed yet", text)
        # The summary, department by department, in name order: objectives,
        # achieved, key results, green, yellow, red, average score.
        self.assertIn("Customer Service 1 1 2 1 1 0 0.70", text)
        self.assertIn("Order Desk 1 0 3 1 1 1 0.60", text)
        self.assertLess(text.index("Customer Service 1"), text.index("Order Desk 1"))
        # Each key result: start, target, final value, score, status, reason,
        # tasks done, and the note of those that missed.
        owner = self.alice.name
        self.assertIn(
            f"Scan every parcel {owner} 0.0 10.0 2.0 0.20 Missed Execution {NOTE}",
            text,
        )
        self.assertIn(
            f"Automate order assignment {owner} 0.0 10.0 10.0 1.00 Achieved 1 / 1",
            text,
        )
        self.assertIn(
            f"Train the order desk {owner} 0.0 10.0 6.0 0.60 Missed Other "
            "Scored 0.60 where 1.0 was expected (Committed).",
            text,
        )

    def test_an_open_cycle_prints_todays_values_and_statuses(self):
        """Mid-cycle (pace 50 %), key results in every status of an open
        cycle: each is printed with its status and today's value."""
        with freeze_time(Q4_MIDDLE):
            self._create_key_result(
                self.committed, 0.0, 10.0, 3.0, name="Label every crate"
            )
            self._create_key_result(
                self.committed, 0.0, 10.0, name="Weigh every parcel"
            )
            self.env["okr.key.result"].search(
                [("cycle_id", "=", self.cycle.id)]
            )._compute_status()
            text = self.render_html(CYCLE_REPORT, self.cycle.with_user(self.alice))
        self.assertIn("This cycle is not closed yet", text)
        self.assertIn("Current Value", text)
        for name, status in (
            ("Automate order assignment", "Achieved"),
            ("Train the order desk", "On Track"),
            ("Label every crate", "At Risk"),
            ("Scan every parcel", "Off Track"),
            ("Weigh every parcel", "Not Started"),
        ):
            # Only its owner and numbers between a name and its status.
            self.assertRegex(text, rf"{name} [^A-Z]*? \d\.\d\d {status}")

    def test_summary_prints_the_figures_of_the_pivot(self):
        """An average of 0.615 is stored as 0.61499...: the pivot shows 0.61,
        and so does the PDF (not 0.62, as rounding the decimal would)."""
        returns = self.env["hr.department"].create({"name": "Returns Desk"})
        objective = self._create_objective(
            "Refunds are paid faster", department_id=returns.id
        )
        for value in (73.0, 50.0):
            self._create_key_result(objective, 0.0, 100.0, value)
        [(average,)] = self.env["okr.key.result"]._read_group(
            [("department_id", "=", returns.id)], [], ["score:avg"]
        )
        self.assertEqual(f"{average:.2f}", "0.61", "JavaScript's toFixed(2) too")
        text = self.render_html(CYCLE_REPORT, self.cycle.with_user(self.alice))
        self.assertIn("Returns Desk 1 0 2 1 1 0 0.61", text)

    def test_edge_cases_of_the_summary(self):
        """A department with an objective but no key result has no average
        (not 0.00); key results count under their own department, as the
        Quarter Review counts them; a cycle without objectives says so."""
        planning = self.env["hr.department"].create({"name": "Planning"})
        self._create_objective("Plan the peak season", department_id=planning.id)
        self.kr_short.department_id = self.service
        text = self.render_html(CYCLE_REPORT, self.cycle.with_user(self.alice))
        self.assertRegex(text, r"Planning 1 0 0 0 0 0 (?!0\.00)")
        self.assertIn("Customer Service 1 0 3 1 2 0 ", text)
        self.assertIn("Order Desk 1 0 2 1 0 1 ", text)
        empty = self.env["okr.cycle"].create(
            {"name": "2027 Q3", "date_start": "2027-07-01", "date_end": "2027-09-30"}
        )
        text = self.render_html(CYCLE_REPORT, empty.with_user(self.alice))
        self.assertIn("No objective in this cycle that you can read.", text)
        self.assertNotIn("Summary by Department", text)

    def test_archived_objectives_are_left_out_of_a_selection(self):
        self.aspirational.action_archive()
        text = self.render_html(
            OBJECTIVES_REPORT,
            (self.committed + self.aspirational).with_user(self.alice),
        )
        self.assertIn(self.committed.name, text)
        self.assertNotIn(self.aspirational.name, text)
        self.assertNotIn("Customer Service", text)

    def test_selected_objectives_only(self):
        self.close_with_reasons()
        text = self.render_html(
            OBJECTIVES_REPORT, self.aspirational.with_user(self.alice)
        )
        self.assertIn(self.aspirational.name, text)
        self.assertNotIn(self.committed.name, text)
        self.assertNotIn("Order Desk", text)

    def test_another_companys_okrs_are_not_printed(self):
        other = self.env["res.company"].create({"name": "OKR Other Co"})
        other_cycle = self.env["okr.cycle"].create(
            {
                "name": "Other Q4",
                "date_start": self.cycle.date_start,
                "date_end": self.cycle.date_end,
                "company_id": other.id,
            }
        )
        secret = self.env["okr.objective"].create(
            {
                "name": "Secret objective",
                "cycle_id": other_cycle.id,
                "company_id": other.id,
            }
        )
        with self.assertRaises(AccessError):
            self.render_html(CYCLE_REPORT, other_cycle.with_user(self.alice))
        with self.assertRaises(AccessError):
            self.render_html(OBJECTIVES_REPORT, secret.with_user(self.alice))
        with self.assertRaises(AccessError):
            self.render_html(
                OBJECTIVES_REPORT, (self.committed + secret).with_user(self.alice)
            )

    def test_query_count_does_not_grow_with_the_objectives(self):
        """Summaries are three grouped queries; objectives, key results and
        their task counts are read in batches for the whole review."""
        report = self.env.ref(CYCLE_REPORT).with_user(self.alice)

        def queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            report._render_qweb_html(report.id, self.cycle.ids)
            return self.env.cr.sql_log_count - before

        queries()  # templates compiled, caches warm
        few = queries()
        departments = self.order_desk + self.service
        departments |= self.env["hr.department"].create({"name": "Planning"})
        for index in range(12):
            objective = self._create_objective(
                f"Objective {index}",
                department_id=departments[index % 3].id,
                user_id=self.alice.id,
            )
            for target in (5.0, 10.0, 20.0):
                key_result = self._create_key_result(objective, 0.0, target, 4.0)
            self.env["project.task"].create(
                {"name": f"Task {index}", "okr_key_result_id": key_result.id}
            )
        self.assertEqual(queries(), few)


@tagged("post_install", "-at_install")
class TestOkrReviewPdf(HttpCase, ReviewCase):
    """The PDF itself, rendered by wkhtmltopdf, in English and in Chinese,
    and over HTTP as a plain user."""

    def pdf_text(self, report_ref, records):
        report = self.env.ref(report_ref).with_env(records.env)
        with mute_logger(REPORT_LOGGER):
            pdf, report_format = report.with_context(
                force_report_rendering=True
            )._render_qweb_pdf(report.id, records.ids)
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), "wkhtmltopdf made no PDF")
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        # NFKC: the font maps some characters to their Kangxi radical (⼈ for
        # 人); those of the radicals supplement stay (⻔ for 门).
        return unicodedata.normalize(
            "NFKC", plain_text(" ".join(page.extract_text() for page in reader.pages))
        )

    def test_pdf_in_english(self):
        self.close_with_reasons()
        text = self.pdf_text(CYCLE_REPORT, self.cycle.with_user(self.alice))
        for words in (
            "OKR Review: 2026 Q4",
            "Summary by Department",
            "Customer Service",
            "Orders are confirmed faster",
            "Scan every parcel",
            "Missed",
        ):
            self.assertIn(words, text)

    def test_pdf_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["okr_order_management"], ["zh_CN"], overwrite=True
        )
        self.committed.with_context(lang="zh_CN").name = "订单确认更快"
        self.close_with_reasons()
        self.alice.lang = "zh_CN"
        cycle = self.cycle.with_user(self.alice).with_context(lang="zh_CN")
        text = self.pdf_text(CYCLE_REPORT, cycle).replace(" ", "")
        for words in (
            "OKR回顾",
            "关键结果平均评分",
            "订单确认更快",
            "负责人",
            "未达成",
        ):
            self.assertIn(words, text)
        self.assertNotIn("Summary by Department", text)

    def test_plain_user_prints_over_http(self):
        self.close_with_reasons()
        self.authenticate(self.alice.login, self.alice.login)
        response = self.url_open(
            f"/report/html/okr_order_management.report_okr_review/{self.cycle.id}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Scan every parcel", plain_text(response.text))


@tagged("post_install", "-at_install")
class TestOkrReviewRpc(HttpCase, ReviewCase):
    """What a client sends: scores and bands are the addon's."""

    def test_scores_are_not_writable_over_rpc(self):
        self.close_with_reasons()
        self.authenticate(self.manager.login, self.manager.login)
        for model, record, vals in (
            ("okr.key.result", self.kr_far, {"score_band": "green"}),
            ("okr.key.result", self.kr_far, {"score": 1.0}),
            ("okr.objective", self.committed, {"score_band": "green"}),
        ):
            reply = call_kw(self, model, "write", record.ids, vals)
            self.assertIn("error", reply, f"{model} {vals} was written")
        self.assertEqual(self.kr_far.score_band, "red")
        self.assertEqual(self.committed.score_band, "yellow")


@tagged("post_install", "-at_install")
class TestOkrReviewAccess(ReviewCase):
    """Whoever has no OKR rights prints nothing."""

    def test_portal_user_cannot_print(self):
        portal = new_test_user(
            self.env,
            login="okr_review_portal",
            groups="base.group_portal",
        )
        with self.assertRaises(AccessError):
            self.render_html(CYCLE_REPORT, self.cycle.with_user(portal))
        self.assertFalse(
            self.env.ref(CYCLE_REPORT).groups_id & portal.groups_id,
            "the print menu is the OKR users'",
        )
        self.assertEqual(
            self.env.ref(CYCLE_REPORT).groups_id,
            self.env.ref("okr_order_management.group_okr_user"),
        )
