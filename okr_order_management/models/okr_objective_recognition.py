from odoo import SUPERUSER_ID, models


class OkrObjective(models.Model):
    """An objective announces its first achievement, and its owner receives
    the “Objective achieved” badge (gamification): on the employee profile."""

    _name = "okr.objective"
    _inherit = ["okr.objective", "okr.achievement.mixin"]

    def _okr_achieved_body(self):
        return self._okr_paragraph(
            self.env._(
                "Objective achieved: “%(objective)s” reached 100 %%. "
                "Congratulations, %(owner)s!",
                objective=self.name,
                owner=self.user_id.name,
            )
        )

    def _okr_reward_achieved(self):
        """The badge, once per objective (the caller announces each once)."""
        badge = self.env.ref(
            "okr_order_management.gamification_badge_objective_achieved",
            raise_if_not_found=False,
        )
        if not (badge and badge.active):  # withdrawn by an administrator
            return True
        # sudo: the badge is granted by the system only (nobody may send it)
        badge_users = (
            self.env["gamification.badge.user"]
            .sudo()
            .create(
                [
                    {
                        "badge_id": badge.id,
                        "user_id": objective.user_id.id,
                        "employee_id": objective._okr_owner_employee().id,
                        "sender_id": SUPERUSER_ID,
                        "comment": objective.with_context(
                            lang=objective.user_id.lang
                        ).env._("For the objective “%s”.", objective.name),
                    }
                    for objective in self
                ]
            )
        )
        badge_users._send_badge()
        return True
