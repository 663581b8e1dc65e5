"""The PromQL name reader the ops tests rely on: it must find every metric and nothing else."""

from tests.support.promql import exposed_names, metric_names


def test_metric_names_skip_functions_labels_and_durations():
    expr = ('sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) '
            '(rate(http_requests_total[5m])) > 0.02')
    assert metric_names(expr) == {"http_requests_total"}


def test_histogram_quantile_and_two_metrics():
    expr = ('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket'
            '{service="intake"}[5m]))) + max(outbox_oldest_pending_age_seconds) * 3600')
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "outbox_oldest_pending_age_seconds"}


def test_exposed_names_include_families_without_samples():
    page = ("# HELP x_total things\n# TYPE x_total counter\n"
            "# HELP h seconds\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\n")
    assert {"x_total", "h_bucket", "h_sum"} <= exposed_names(page)
    assert "y" not in exposed_names(page)
