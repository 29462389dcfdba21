from odoo import Command, api, models

MODULE = "okr_order_management"
#: The external id of a company's "OKR Initiatives" project, by company id.
PROJECT_XMLID = "okr_project_initiatives_company_%s"
#: The name the project is made (and found again at a reinstall) with, in
#: English; ``ProjectProject._okr_translate_name`` gives its translations.
PROJECT_NAME = "OKR Initiatives"
#: The task stages of the project, in order (data/okr_project_data.xml).
STAGE_XMLIDS = [
    f"{MODULE}.project_task_type_okr_todo",
    f"{MODULE}.project_task_type_okr_in_progress",
    f"{MODULE}.project_task_type_okr_review",
]
#: The projects taken over at an install, which uninstalling leaves.
ADOPTED_PROJECTS_PARAM = f"{MODULE}.adopted_project_ids"


class ResCompany(models.Model):
    """The company's one "OKR Initiatives" project, where tasks created from
    a key result go by default, as stock gives each company a warehouse."""

    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        if companies:
            companies._okr_create_initiatives_projects()
        return companies

    def _okr_initiatives_project(self):
        self.ensure_one()
        return (
            self.env.ref(
                f"{MODULE}.{PROJECT_XMLID % self.id}", raise_if_not_found=False
            )
            or self.env["project.project"]
        )

    @api.model
    def _okr_create_missing_initiatives_projects(self):
        """At install and update: every company has its project."""
        companies = self.with_context(active_test=False).search(
            [("active", "in", [True, False])]
        )
        companies._okr_create_initiatives_projects()

    def _okr_create_initiatives_projects(self):
        """Give these companies their project.

        A project of the same name left by an earlier uninstall, with its
        tasks, is taken over rather than doubled.
        """
        # sudo: the project is company data, made by the install or with the
        # company, whoever creates the company.
        projects = self.env["project.project"].sudo().with_context(lang="en_US")
        stages = [
            self.env.ref(xmlid, raise_if_not_found=False) for xmlid in STAGE_XMLIDS
        ]
        stage_ids = [stage.id for stage in stages if stage]
        params = self.env["ir.config_parameter"].sudo()
        adopted = params.get_param(ADOPTED_PROJECTS_PARAM, "")
        adopted_ids = [int(pid) for pid in adopted.split(",") if pid]
        for company in self:
            if company._okr_initiatives_project():
                continue
            project = projects.with_context(active_test=False).search(
                [("company_id", "=", company.id), ("name", "=", PROJECT_NAME)],
                limit=1,
            )
            if project:
                adopted_ids.append(project.id)
            else:
                project = projects.create(
                    {
                        "name": PROJECT_NAME,
                        "company_id": company.id,
                        "privacy_visibility": "employees",
                        "type_ids": [Command.set(stage_ids)],
                        "description": self.env._(
                            "Tasks that move the company's key results."
                        ),
                    }
                )
                project._okr_translate_name()
            self.env["ir.model.data"].sudo().create(
                {
                    "module": MODULE,
                    "name": PROJECT_XMLID % company.id,
                    "model": "project.project",
                    "res_id": project.id,
                    "noupdate": True,
                }
            )
        if adopted_ids:
            params.set_param(ADOPTED_PROJECTS_PARAM, ",".join(map(str, adopted_ids)))
