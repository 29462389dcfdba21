from odoo import models

from .okr_input import format_number


class OkrKeyResult(models.Model):
    """A key result announces its first achievement."""

    _name = "okr.key.result"
    _inherit = ["okr.key.result", "okr.achievement.mixin"]

    def _okr_achieved_body(self):
        target = format_number(self.env, self.target_value)
        return self._okr_paragraph(
            self.env._(
                "Key result achieved: “%(key_result)s” reached its target "
                "(%(target)s). Congratulations, %(owner)s!",
                key_result=self.name,
                target=f"{target} {self.unit}" if self.unit else target,
                owner=self.user_id.name,
            )
        )
