import Foundation
import Hummingbird
import HTTPTypes
import ZhengsheDomain
import ZhengsheStore

/// `/v1/districts/{district}/lists/{year}`: a district's two lists and admissions for a year.
struct CataloguesController: Sendable {
    let store: PostgresEventStore
    let cache: StateCache<CatalogueState>

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(":district/lists/:year/events", use: file)
        group.get(":district/lists/:year", use: show)
        group.get(":district/lists/:year/events", use: history)
    }

    static func load(
        store: PostgresEventStore, stream: StreamID, district: PartyCode, year: Int, cache: StateCache<CatalogueState>
    ) async throws -> (state: CatalogueState, version: Int64) {
        let decider = CatalogueDecider(district: district, year: year)
        let filer = StreamFiler<CatalogueEvent, CatalogueState>(
            store: store, stream: stream, initial: CatalogueDecider.initialState, evolve: decider.evolve, cache: cache)
        let (state, version) = try await filer.load()
        return (state, version)
    }

    /// The district and year from the path; 404 for districts the actor has nothing to do with.
    func target(_ context: AppRequestContext) throws -> (district: PartyCode, year: Int, stream: StreamID) {
        let districtText = try context.parameters.require("district")
        let yearText = try context.parameters.require("year")
        let actor = try context.requireActor
        guard let district = PartyCode(districtText), district.level == .district, let year = Int(yearText), (2000...2100).contains(year) else {
            throw Problem.notFound("lists \(districtText)/\(yearText)")
        }
        let visible = actor.role == .admin || (actor.party.map { district.contains($0) } ?? false)
        guard visible else { throw Problem.notFound("lists \(districtText)/\(yearText)") }
        return (district, year, try StreamID(category: "catalogue", id: "\(district)-\(year)"))
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (district, year, stream) = try target(context)
        let filing = try await FilingRequest.read(request)
        let decider = CatalogueDecider(district: district, year: year)
        let actor = try context.requireActor
        let filer = StreamFiler<CatalogueEvent, CatalogueState>(
            store: store, stream: stream, initial: CatalogueDecider.initialState, evolve: decider.evolve, cache: cache)
        let outcome = try await filer.file(filing, ifMatch: try JSONResponse.ifMatch(request), idempotencyKey: try request.idempotencyKey(), context: context) {
            event, state throws(DomainError) in try decider.decide(event, by: actor, state)
        }
        return try outcome.response(stream: stream, location: "/v1/districts/\(district)/lists/\(year)")
    }

    struct View: Encodable {
        var district: String
        var year: Int
        var version: Int64
        var lawfulDuties: [ListItemPublished]
        var assistanceItems: [ListItemPublished]
        var admissions: [Admission]
        struct Admission: Encodable {
            var request: AdmissionRequested
            var status: String
            var validFrom: LocalDate?
            var validUntil: LocalDate?
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (district, year, stream) = try target(context)
        let (state, version) = try await Self.load(store: store, stream: stream, district: district, year: year, cache: cache)
        var headers = HTTPFields()
        headers[.eTag] = JSONResponse.etag(version)
        return try JSONResponse.make(
            View(
                district: district.rawValue, year: year, version: version,
                lawfulDuties: state.lawfulDuties.values.sorted { $0.code < $1.code },
                assistanceItems: state.assistanceItems.values.sorted { $0.code < $1.code },
                admissions: state.admissions.values.sorted { $0.request.admissionId < $1.request.admissionId }.map {
                    .init(request: $0.request, status: $0.status.rawValue, validFrom: $0.validFrom, validUntil: $0.validUntil)
                }
            ),
            headers: headers)
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (district, year, stream) = try target(context)
        let path = "/v1/districts/\(district)/lists/\(year)/events"
        return try await EventPage.read(stream, store: store, request: request, path: path) ?? EventPage.make([], next: nil)
    }
}
