public import ZhengsheStore

/// Every projection the service runs.
public enum Projections {
    public static let all: [any Projection] = [FundingProjection(), ObligationsProjection(), RegistersProjection()]

    /// The projection called `name`.
    public static func named(_ name: String) -> (any Projection)? { all.first { $0.name == name } }
}
