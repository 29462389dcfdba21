from odoo import models


class ProjectProject(models.Model):
    _inherit = "project.project"

    def _okr_translate_name(self):
        """Name the "OKR Initiatives" project in every installed language."""
        for code, _label in self.env["res.lang"].get_installed():
            if code != "en_US":
                self.with_context(lang=code).name = self.with_context(lang=code).env._(
                    "OKR Initiatives"
                )
