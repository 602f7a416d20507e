from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "guichet.reports"
    verbose_name = _("Signalements")

    def ready(self) -> None:
        from guichet.cases import services as case_services
        from guichet.reports.services import report_follow_case
        from guichet.reports.workorders import work_orders_follow_transfer

        if report_follow_case not in case_services.TRANSITION_OBSERVERS:
            case_services.TRANSITION_OBSERVERS.append(report_follow_case)
        if work_orders_follow_transfer not in case_services.TRANSFER_OBSERVERS:
            case_services.TRANSFER_OBSERVERS.append(work_orders_follow_transfer)
