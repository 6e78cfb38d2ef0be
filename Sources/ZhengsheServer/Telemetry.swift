import Metrics
public import Prometheus

/// Metrics for the whole process: swift-metrics, backed by swift-prometheus, bootstrapped once on
/// first use (the metrics system takes one backend per process), served at `GET /metrics`.
public enum Telemetry {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// The current values in Prometheus' text format.
    @Sendable public static func text() -> String { registry.emitToString() }
}
