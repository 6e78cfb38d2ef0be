import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ZhengsheDemo
import ZhengsheDomain
import ZhengsheStore

/// `zhengshe demo`: synthetic data for trying the service out.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Synthetic data: a realistic city-year filed through the agreement rules.",
        subcommands: [Seed.self]
    )

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fill the database with a synthetic city for one year.")
        @OptionGroup var city: CityOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let plan = city.plan
            let summary = try await database.withClient(logLevel: .info) { client, logger in
                try await Migrator(client: client, logger: logger).migrate()
                return try await CityGenerator(plan: plan, store: PostgresEventStore(client: client, logger: logger), logger: logger).run()
            }
            print(summary.report(plan))
        }
    }
}

/// The city to generate.
struct CityOptions: ParsableArguments {
    @Option(help: "Committees (居(村)委会) in all.") var committees = 1000
    @Option(help: "Districts (区/县), 1–9.") var districts = 4
    @Option(help: "The year; events after now are not generated.") var year = LocalDate(Date()).year
    @Option(help: "Random seed: the same seed makes the same city.") var seed: UInt64 = 2014

    var plan: CityPlan { CityPlan(committees: committees, districts: districts, year: year, seed: seed) }
}

extension CityGenerator.Summary {
    func report(_ plan: CityPlan) -> String {
        """
        Seeded a city for \(plan.year) (seed \(plan.seed)): \(districts) districts, \(plan.districts * plan.streetsPerDistrict) streets/towns, \(agreements) agreements.
        \(events) events in \(String(format: "%.1f", seconds)) s (\(String(format: "%.0f", eventsPerSecond)) events/s)\(refused > 0 ? "; \(refused) filings refused by the rules (a generator bug)" : "").
        """
    }
}
