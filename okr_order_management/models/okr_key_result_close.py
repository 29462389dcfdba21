from odoo import api, fields, models
from odoo.tools import formatLang

from .. import metric_engine, okr_rules
from ..measure import measure_from_json, measure_to_json, widen
from .okr_input import refuse_addon_fields
from .okr_key_result_task import CANCELLED_STATE, DONE_STATE

MISS_REASONS = [
    ("target_too_high", "Target Too High"),
    ("insufficient_resources", "Insufficient Resources"),
    ("execution", "Execution"),
    ("external", "External Factors"),
    ("other", "Other"),
]
#: The reason a key result that missed gets when nobody gives one.
DEFAULT_MISS_REASON = "other"
#: The fields of a key result that only the close of its cycle writes.
FINAL_FIELDS = (
    "final_value",
    "final_progress",
    "final_score",
    "final_measure",
    "miss_reason",
    "miss_note",
    "carried_from_id",
)


class OkrKeyResult(models.Model):
    """What a key result scored when its cycle closed, frozen: orders changed
    later never move a closed number."""

    # What the close of its cycle freezes, apart from the live measure.
    _inherit = "okr.key.result"  # pylint: disable=consider-merging-classes-inherited

    commitment = fields.Selection(related="objective_id.commitment", store=True)
    cycle_frozen_at = fields.Datetime(related="cycle_id.frozen_at")
    final_value = fields.Float(
        readonly=True,
        copy=False,
        help="The value of the key result when its cycle closed.",
    )
    final_progress = fields.Float(
        readonly=True,
        copy=False,
        aggregator="avg",
        digits=(16, 1),
        help="Its progress when its cycle closed, in %.",
    )
    final_score = fields.Float(
        readonly=True,
        copy=False,
        aggregator="avg",
        digits=(16, 2),
        help="Its score when its cycle closed, from 0.0 to 1.0: missed under "
        "1.0 when committed, under 0.7 when aspirational.",
    )
    final_measure = fields.Json(
        readonly=True,
        copy=False,
        help="What its metric counted when its cycle closed: the window and the "
        "definition as evaluated.",
    )
    miss_reason = fields.Selection(
        MISS_REASONS,
        readonly=True,
        copy=False,
        help="Why it missed, as recorded when its cycle closed.",
    )
    miss_note = fields.Text(readonly=True, copy=False)
    carried_from_id = fields.Many2one(
        "okr.key.result",
        string="Carried Over From",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The key result of a closed cycle this one continues.",
    )

    @api.depends("final_value", "cycle_id.state", "cycle_id.frozen_at")
    def _compute_attainment(self):
        frozen = self.filtered(lambda kr: kr._okr_is_frozen())
        for key_result in frozen:
            key_result.attainment = okr_rules.attainment(
                key_result.target_type,
                key_result.start_value,
                key_result.target_value,
                key_result.final_value,
            )
        return super(OkrKeyResult, self - frozen)._compute_attainment()

    @api.depends(
        "final_score", "objective_id.commitment", "cycle_id.state", "cycle_id.frozen_at"
    )
    def _compute_status(self):
        frozen = self.filtered(lambda kr: kr._okr_is_frozen())
        for key_result in frozen:
            key_result.status = okr_rules.closed_status(
                key_result.final_score, key_result.objective_id.commitment
            )
        return super(OkrKeyResult, self - frozen)._compute_status()

    @api.model_create_multi
    def create(self, vals_list):
        refuse_addon_fields(self, vals_list, lambda field: field.name in FINAL_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        refuse_addon_fields(self, [vals], lambda field: field.name in FINAL_FIELDS)
        return super().write(vals)

    def _okr_is_frozen(self):
        """Whether its cycle's close froze its values (not reopened since)."""
        self.ensure_one()
        cycle = self.cycle_id
        return cycle.state == "closed" and bool(cycle.frozen_at)

    def _okr_recompute(self, *args, **kwargs):
        """A closed cycle's values are final: never evaluated again, whoever
        asks (the scheduled runs, Refresh, the superuser)."""
        open_ones = self.filtered(lambda kr: not kr._okr_is_frozen())
        return super(OkrKeyResult, open_ones)._okr_recompute(*args, **kwargs)

    def _okr_records_domain(self, numerator=False):
        """A closed key result opens the records its frozen measure counted."""
        self.ensure_one()
        if self._okr_is_frozen() and self.final_measure:
            measure = measure_from_json(self.final_measure)
            return measure.model_name, measure.domain(numerator=numerator)
        return super()._okr_records_domain(numerator=numerator)

    def _okr_closing_measures(self, moment, end, grace):
        """``({key_result_id: Measure}, {key_result_id: error})`` of these
        metric key results as their cycle's close evaluates them: at
        ``moment``, windows ending at the cycle's ``end`` widened by ``grace``
        so that what is recorded a little late still counts."""
        measures, errors = {}, {}
        for key_result in self.filtered(lambda kr: kr.source == "metric"):
            try:
                measure = key_result._okr_measure(moment)
            except (ValueError, SyntaxError, KeyError) as error:
                errors[key_result.id] = str(error)
                continue
            measures[key_result.id] = widen(measure, end, grace)
        return measures, errors

    def _okr_recompute_final(self, moment, end, grace):
        """Evaluate the metric key results one last time and store their
        values (one query per group of measures, as the scheduled runs do);
        ``{key_result_id: Measure}`` of those evaluated."""
        measures, errors = self._okr_closing_measures(moment, end, grace)
        failed = {
            key: metric_engine.Outcome(error=error) for key, error in errors.items()
        }
        self.browse(failed)._okr_store(failed, moment)
        if measures:
            self._okr_recompute_batch(measures, moment, read_on_replica=False)
        return measures

    def _okr_preview(self, moment, end, grace):
        """``{key_result: (value, progress, score, error)}``: what a close
        would freeze, without storing anything (the close wizard's lines)."""
        measures, errors = self._okr_closing_measures(moment, end, grace)
        outcomes = metric_engine.evaluate(self.env, measures) if measures else {}
        preview = {}
        for key_result in self:
            outcome = outcomes.get(key_result.id)
            error = errors.get(key_result.id) or (outcome and outcome.error)
            value = key_result.current_value
            if outcome and outcome.value is not None:
                value = outcome.value
            progress = okr_rules.progress(
                okr_rules.attainment(
                    key_result.target_type,
                    key_result.start_value,
                    key_result.target_value,
                    value,
                )
            )
            preview[key_result] = (value, progress, okr_rules.score(progress), error)
        return preview

    def _okr_freeze(self, measures, reasons):
        """Write the final value, progress, score and measure of these key
        results, and why those that missed did: ``reasons`` is
        ``{key_result_id: (reason, note)}``, defaults for the others. The
        writes are flushed together."""
        for key_result in self:
            score = key_result.score
            missed = okr_rules.is_missed(score, key_result.objective_id.commitment)
            reason, note = reasons.get(key_result.id, (False, False))
            measure = measures.get(key_result.id)
            key_result.write(
                {
                    "final_value": key_result.current_value,
                    "final_progress": key_result.progress,
                    "final_score": score,
                    "final_measure": measure and measure_to_json(measure),
                    "miss_reason": missed and (reason or DEFAULT_MISS_REASON),
                    "miss_note": missed
                    and (note or key_result._okr_default_miss_note(score)),
                }
            )

    def _okr_default_miss_note(self, score):
        """The note of a key result that missed when nobody writes one: its
        score and what its commitment expected."""
        self.ensure_one()
        commitment = self.objective_id.commitment
        labels = dict(
            self.env["okr.objective"]
            ._fields["commitment"]
            ._description_selection(self.env)
        )
        return self.env._(
            "Scored %(score)s where %(expected)s was expected (%(commitment)s).",
            score=formatLang(self.env, score, digits=2),
            expected=formatLang(
                self.env, okr_rules.EXPECTED_SCORE.get(commitment, 1.0), digits=1
            ),
            commitment=labels.get(commitment, commitment),
        )

    def _okr_carry_over(self, objective_copies):
        """Copy these key results into the objectives ``objective_copies``
        (``{objective: its copy}``): start values from their final values, no
        check-ins; metric key results keep their metric, scope and window, and
        who scoped them. Their open tasks move to the copies. Returns
        ``{key_result: its copy}``."""
        if not self:
            return {}
        vals_list = self.copy_data()
        for key_result, vals in zip(self, vals_list, strict=True):
            vals.update(
                objective_id=objective_copies[key_result.objective_id].id,
                start_value=key_result.final_value,
                current_value=key_result.final_value,
                user_id=key_result.user_id.id,
                department_id=key_result.department_id.id,
                currency_id=key_result.currency_id.id,
            )
            if key_result.source == "metric":
                vals.pop("current_value")  # computed again in the next cycle
        # sudo: the copies measure what the originals did, with the rights of
        # who scoped them (kept below), not those of whoever closes the cycle.
        copies = self.env["okr.key.result"].sudo().create(vals_list)
        by_original = dict(zip(self, copies, strict=True))
        for key_result, copy in by_original.items():
            key_result.copy_translations(copy)
            copy.write(
                {
                    "carried_from_id": key_result.id,
                    "scope_user_id": key_result.scope_user_id.id,
                }
            )
        # sudo: moving the open tasks along is part of the close, which OKR
        # managers run whether or not they work in Project.
        tasks = (
            self.env["project.task"]
            .sudo()
            .search(
                [
                    ("okr_key_result_id", "in", self.ids),
                    ("state", "not in", [DONE_STATE, CANCELLED_STATE]),
                ]
            )
        )
        for key_result, copy in by_original.items():
            moving = tasks.filtered(
                lambda task, kr=key_result: task.okr_key_result_id == kr
            )
            if moving:
                moving.write({"okr_key_result_id": copy.id})
        return by_original


class OkrObjective(models.Model):
    """Objectives of a closed cycle are achieved or missed; unfinished ones
    may be carried over into the next cycle."""

    # Beside its key results' close: achieved or missed, carried over.
    _inherit = "okr.objective"  # pylint: disable=consider-merging-classes-inherited

    carried_from_id = fields.Many2one(
        "okr.objective",
        string="Carried Over From",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The objective of a closed cycle this one continues.",
    )

    @api.depends("score", "commitment", "cycle_id.state", "cycle_id.frozen_at")
    def _compute_status(self):
        frozen = self.filtered(
            lambda objective: (
                objective.cycle_id.state == "closed" and objective.cycle_id.frozen_at
            )
        )
        for objective in frozen:
            objective.status = okr_rules.closed_status(
                objective.score, objective.commitment
            )
        return super(OkrObjective, self - frozen)._compute_status()

    @api.model_create_multi
    def create(self, vals_list):
        refuse_addon_fields(
            self, vals_list, lambda field: field.name == "carried_from_id"
        )
        return super().create(vals_list)

    def write(self, vals):
        refuse_addon_fields(self, [vals], lambda field: field.name == "carried_from_id")
        return super().write(vals)

    def _okr_carry_over(self, next_cycle):
        """Copy these objectives of a closed cycle into ``next_cycle``, with
        their key results not achieved yet and those key results' open tasks.
        An objective stays aligned to its parent's copy when the parent is
        carried over too. Returns the copies."""
        copies = self.env["okr.objective"].create(
            self.copy_data({"cycle_id": next_cycle.id, "parent_id": False})
        )
        by_original = dict(zip(self, copies, strict=True))
        for objective, copy in by_original.items():
            objective.copy_translations(copy)
            parent_copy = by_original.get(objective.parent_id)
            # sudo: the link to the origin is the addon's (see create)
            copy.sudo().write(
                {"carried_from_id": objective.id}
                | ({"parent_id": parent_copy.id} if parent_copy else {})
            )
        unfinished = self.key_result_ids.filtered(lambda kr: kr.final_progress < 100.0)
        unfinished._okr_carry_over(by_original)
        return copies
