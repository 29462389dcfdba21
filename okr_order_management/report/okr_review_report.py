from decimal import ROUND_HALF_UP, Decimal

from odoo import api, models
from odoo.tools import formatLang

from ..okr_rules import SCORE_GREEN_FROM, SCORE_YELLOW_FROM

#: The colour each score band is printed in (okr_rules.score_band names them).
BAND_COLORS = {"red": "#d9534f", "yellow": "#f0ad4e", "green": "#5cb85c"}


#: What the review prints of each key result (report_okr_review_objective_block).
PRINTED_KEY_RESULT_FIELDS = [
    "name",
    "user_id",
    "start_value",
    "target_value",
    "current_value",
    "final_value",
    "unit",
    "score",
    "score_band",
    "status",
    "miss_reason",
    "miss_note",
]


def as_the_web_client_shows(value, digits):
    """``value`` rounded as the web client shows a float (JavaScript's
    ``toFixed``: half up on the float's exact binary value, so 0.615 stored
    as 0.61499... shows 0.61), for the PDF to print the pivot's figures."""
    exact = Decimal(value or 0.0)
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _in_name_order(departments):
    """``departments`` in the order of the names printed (the reader's
    language), then "no department" (an empty record)."""
    return [*departments.sorted(lambda d: (d.name or "", d.id)), departments.browse()]


class OkrReviewReport(models.AbstractModel):
    """The quarter review of cycles, as a PDF: per department, its objectives
    with their key results and scores, and a summary counted in SQL from the
    same stored fields as the Quarter Review screens."""

    _name = "report.okr_order_management.report_okr_review"
    _description = "OKR Review Report"

    @api.model
    def _okr_documents(self, docids):
        """``(cycles, objectives)`` that the review of the cycles ``docids``
        shows: the cycles, and their objectives that the user may read."""
        cycles = self.env["okr.cycle"].browse(docids).exists()
        cycles.check_access("read")
        return cycles, self.env["okr.objective"].search(
            [("cycle_id", "in", cycles.ids)]
        )

    @api.model
    def _okr_score_digits(self):
        """The digits a score is shown with (the field's)."""
        return self.env["okr.key.result"]._fields["score"].get_digits(self.env)[1]

    @api.model
    def _get_report_values(self, docids, data=None):
        cycles, objectives = self._okr_documents(docids)
        # Read for the whole review at once, not department by department.
        key_results = objectives.key_result_ids
        key_results.fetch(PRINTED_KEY_RESULT_FIELDS)
        objectives.mapped("task_count")
        key_results.mapped("task_count")
        return {
            "doc_ids": docids,
            "docs": cycles,
            "reviews": self._okr_reviews(cycles, objectives),
            "band_colors": BAND_COLORS,
            "score_digits": self._okr_score_digits(),
            "score_legend": self.env._(
                "Score bands: red under %(yellow)s, yellow from %(yellow)s, "
                "green from %(green)s.",
                yellow=formatLang(self.env, SCORE_YELLOW_FROM, digits=1),
                green=formatLang(self.env, SCORE_GREEN_FROM, digits=1),
            ),
        }

    @api.model
    def _okr_reviews(self, cycles, objectives):
        """One review per cycle: ``{"cycle", "summary", "departments"}``, the
        departments in name order, then the objectives without one."""
        summaries = self._okr_summaries(objectives)
        reviews = []
        for cycle in cycles.sorted(lambda c: (c.date_start, c.id)):
            of_cycle = objectives.filtered(lambda o, c=cycle: o.cycle_id == c)
            sections = [
                {"department": department, "objectives": of_department}
                for department in _in_name_order(of_cycle.department_id)
                if (
                    of_department := of_cycle.filtered(
                        lambda o, d=department: o.department_id == d
                    )
                )
            ]
            rows = {d: row for (c, d), row in summaries.items() if c == cycle}
            reviews.append(
                {
                    "cycle": cycle,
                    "summary": [
                        rows[department]
                        for department in _in_name_order(
                            self.env["hr.department"].union(*rows)
                        )
                        if department in rows
                    ],
                    "departments": sections,
                }
            )
        return reviews

    @api.model
    def _okr_summaries(self, objectives):
        """``{(cycle, department): row}`` of the review's summary: objectives
        by status under their department, key results by score band under
        theirs (as the two screens count them), and their average score as
        the Quarter Review pivot shows it; three grouped queries whatever the
        number of records."""
        rows = {}

        def row(cycle, department):
            return rows.setdefault(
                (cycle, department),
                {
                    "department": department,
                    "objectives": 0,
                    "achieved": 0,
                    "key_results": 0,
                    "red": 0,
                    "yellow": 0,
                    "green": 0,
                    "average_score": None,  # no key result, no average
                },
            )

        for cycle, department, status, count in self.env["okr.objective"]._read_group(
            [("id", "in", objectives.ids)],
            ["cycle_id", "department_id", "status"],
            ["__count"],
        ):
            summary = row(cycle, department)
            summary["objectives"] += count
            if status == "achieved":
                summary["achieved"] += count
        KeyResult = self.env["okr.key.result"]
        of_objectives = [("objective_id", "in", objectives.ids)]
        for cycle, department, band, count in KeyResult._read_group(
            of_objectives, ["cycle_id", "department_id", "score_band"], ["__count"]
        ):
            summary = row(cycle, department)
            summary["key_results"] += count
            summary[band] += count
        digits = self._okr_score_digits()
        for cycle, department, average in KeyResult._read_group(
            of_objectives, ["cycle_id", "department_id"], ["score:avg"]
        ):
            row(cycle, department)["average_score"] = as_the_web_client_shows(
                average, digits
            )
        return rows


class OkrReviewObjectiveReport(models.AbstractModel):
    """The same review, for a selection of objectives (a department's, say)."""

    _name = "report.okr_order_management.report_okr_review_objective"
    _inherit = "report.okr_order_management.report_okr_review"
    _description = "OKR Review Report of Objectives"

    @api.model
    def _okr_documents(self, docids):
        """The objectives selected, which the user must be allowed to read,
        and their cycles; archived ones are left out, as the screens and the
        cycle's review leave them."""
        objectives = self.env["okr.objective"].browse(docids).exists()
        objectives.check_access("read")
        objectives = objectives.filtered("active")
        return objectives.cycle_id, objectives
