from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from .okr_input import refuse_addon_fields

#: The task's OKR fields as paths of key results and of objectives: what a
#: task search says of them names the OKRs whose departments are columns.
OKR_PATHS = {
    "okr_cycle_id": {"okr.key.result": "cycle_id", "okr.objective": "cycle_id"},
    "okr_objective_id": {"okr.key.result": "objective_id", "okr.objective": "id"},
    "okr_key_result_id": {"okr.key.result": "id", "okr.objective": "key_result_ids"},
}


def and_conditions(domain):
    """The conditions that every record matching ``domain`` meets: those
    joined to it by '&' only, none under a '|' or a '!'."""
    conditions, kept = [], [True]
    for token in expression.normalize_domain(domain):
        keep = kept.pop()
        if token in (expression.AND_OPERATOR, expression.OR_OPERATOR):
            kept += [keep and token == expression.AND_OPERATOR] * 2
        elif token == expression.NOT_OPERATOR:
            kept.append(False)
        elif keep:
            conditions.append(token)
    return conditions


def refuse_task_facts(tasks, vals_list):
    """The ``okr_`` fields of a task that no form edits (its key result's
    objective and cycle, when it was done) follow from the task: only the
    addon writes them."""
    refuse_addon_fields(
        tasks,
        vals_list,
        lambda field: field.name.startswith("okr_") and field.readonly,
    )


class ProjectTask(models.Model):
    """A task that moves a key result: Odoo's own task, so that nobody keeps
    two lists. Done and blocked are the task's own ``state``."""

    _inherit = "project.task"

    okr_key_result_id = fields.Many2one(
        "okr.key.result",
        string="Key Result",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        groups="base.group_user",
        domain="['|', ('company_id', '=', False), ('company_id', '=?', company_id)]",
        help="The key result this task works towards. Its progress is measured "
        "by the key result itself, never by its tasks.",
    )
    okr_objective_id = fields.Many2one(
        related="okr_key_result_id.objective_id",
        string="Objective",
        store=True,
        index="btree_not_null",
        groups="base.group_user",
    )
    okr_cycle_id = fields.Many2one(
        related="okr_key_result_id.cycle_id",
        string="OKR Cycle",
        store=True,
        index="btree_not_null",
        groups="base.group_user",
    )
    okr_department_id = fields.Many2one(
        "hr.department",
        string="Department",
        compute="_compute_okr_department_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
        groups="base.group_user",
        group_expand="_read_group_okr_department_ids",
        domain="['|', ('company_id', '=', False), ('company_id', '=?', company_id)]",
        help="The department doing the work: by default the key result's, "
        "else the first assignee's.",
    )

    @api.depends("okr_key_result_id", "user_ids")
    def _compute_okr_department_id(self):
        # Only the tasks of a key result: the other tasks are not OKR work.
        todo = self.filtered(
            lambda task: task.okr_key_result_id and not task.okr_department_id
        )
        for task in todo:
            task.okr_department_id = task.okr_key_result_id.department_id
        todo = todo.filtered(lambda task: not task.okr_department_id and task.user_ids)
        if not todo:
            return
        # hr.employee.public: what every employee may read of a colleague.
        employees = self.env["hr.employee.public"].search(
            [
                ("user_id", "in", todo.user_ids._origin.ids),
                ("department_id", "!=", False),
            ]
        )
        # A department of the task's company, or of none (check_company).
        department_of = {
            (employee.user_id, employee.department_id.company_id): (
                employee.department_id
            )
            for employee in employees
        }
        for task in todo:
            user = task.user_ids[:1]._origin  # new records before the insert
            # Before the insert, the task's company is its key result's.
            company = task.company_id or task.okr_key_result_id.sudo().company_id
            task.okr_department_id = department_of.get(
                (user, company)
            ) or department_of.get((user, self.env["res.company"]), False)

    @api.model
    def _read_group_okr_department_ids(self, departments, domain):
        """The columns: the departments that have tasks in the result, and
        those of the key results and objectives the search is about, as
        Project shows the stages of the project it is about. What the search
        says of the tasks' cycle, objective and key result selects them, in
        the open cycles unless it names cycles. One query."""
        conditions = {"okr.key.result": [], "okr.objective": []}
        names_cycles = False
        for left, operator, right in and_conditions(domain):
            fname, _dot, rest = str(left).partition(".")
            if fname not in OKR_PATHS:
                continue
            names_cycles |= fname == "okr_cycle_id"
            for model, path in OKR_PATHS[fname].items():
                path = f"{path}.{rest}" if rest else path
                conditions[model].append((path, operator, right))
        columns = [[("id", "in", departments.ids)]]
        for model, model_conditions in conditions.items():
            if not names_cycles:
                model_conditions.append(("cycle_id.state", "!=", "closed"))
            query = self.env[model]._search(model_conditions)
            department_ids = query.subselect(
                SQL.identifier(query.table, "department_id")
            )
            columns.append([("id", "in", department_ids)])
        return departments.search(expression.OR(columns))

    @api.constrains("okr_key_result_id", "okr_department_id", "company_id")
    def _check_okr_company(self):
        for task in self.sudo():
            for field in ("okr_key_result_id", "okr_department_id"):
                linked = task[field]
                if linked.company_id and linked.company_id != task.company_id:
                    raise ValidationError(
                        self.env._(
                            "The task “%(task)s” is in %(task_company)s, but its "
                            "%(field)s “%(linked)s” belongs to %(company)s: choose "
                            "a %(field)s of %(task_company)s, or put the task in a "
                            "project of %(company)s.",
                            task=task.name,
                            task_company=task.company_id.name
                            or self.env._("no company"),
                            field=task._fields[field]._description_string(self.env),
                            linked=linked.display_name,
                            company=linked.company_id.name,
                        )
                    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            "project_id" in fields_list
            and not res.get("project_id")
            and not res.get("parent_id")
            and res.get("okr_key_result_id")
        ):
            key_result = self.env["okr.key.result"].browse(res["okr_key_result_id"])
            if key_result.exists() and key_result.has_access("read"):
                res["project_id"] = key_result._okr_default_project().id or False
        return res

    @api.model_create_multi
    def create(self, vals_list):
        refuse_task_facts(self, vals_list)
        default_key_result_id = self.env.context.get("default_okr_key_result_id")
        for vals in vals_list:
            # A key result given in the context (its Tasks button) counts as
            # given in the values: Project picks the task's company from its
            # project before Odoo fills in the defaults.
            key_result_id = vals.get("okr_key_result_id", default_key_result_id)
            if key_result_id and type(key_result_id) is int:  # an id, not a bool
                key_result = self.env["okr.key.result"].browse(key_result_id)
                key_result._okr_check_task_link()
                if not vals.get("project_id") and not vals.get("parent_id"):
                    project = key_result._okr_default_project()
                    if project:
                        vals["project_id"] = project.id
                        if not vals.get("company_id"):
                            vals.pop("company_id", None)  # the project's
        return super().create(vals_list)

    def write(self, vals):
        refuse_task_facts(self, [vals])
        if "okr_key_result_id" in vals and not self.env.su:
            # Both sides: the key result a task leaves and the one it joins.
            self.okr_key_result_id._okr_check_task_link()
            self.env["okr.key.result"].browse(
                vals["okr_key_result_id"]
            )._okr_check_task_link()
        return super().write(vals)
