"""The day's reminder deliveries by status, read from the store at scrape time, so any API
process answers for the `appraisal remind` runs (processes of their own) alike."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from domain.period import china_date
from store.reminders import Deliveries


class ReminderGauge:
    """A custom collector: today's (China's) deliveries in each status."""

    def __init__(self) -> None:
        self.deliveries: Deliveries | None = None

    def describe(self) -> Iterator[Metric]:
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        if self.deliveries is not None:
            day = china_date().isoformat()
            for status, count in self.deliveries.counted(day).items():
                family.add_metric([status], count)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "appraisal_reminder_deliveries", "Today's reminder deliveries by status (sent; "
            "failed: to be retried; gave_up; sending: under way, or its run died)",
            labels=["status"])
