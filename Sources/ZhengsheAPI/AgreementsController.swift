import Foundation
import Hummingbird
import HTTPTypes
import Logging
import ZhengsheDomain
import ZhengsheStore

/// `/v1/agreements/{id}`: filing on an agreement, its current state, its history.
struct AgreementsController: Sendable {
    let store: PostgresEventStore
    let clock: @Sendable () -> Date
    let agreements = StateCache<AgreementState>()
    let catalogues: StateCache<CatalogueState>

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(":id/events", use: file)
        group.get(":id", use: show)
        group.get(":id/events", use: history)
    }

    /// The filings whose rules consult the district's lists.
    static let readsLists: Set<String> = ["TermsProposed", "AmendmentProposed", "TaskRefused"]

    /// Parses the id and hides agreements the actor may not see behind a 404.
    func agreement(_ context: AppRequestContext) throws -> AgreementID {
        let text = try context.parameters.require("id")
        let actor = try context.requireActor
        guard let id = AgreementID(text), id.isVisible(to: actor, evaluatorYear: context.evaluatorYear) else {
            throw Problem.notFound("agreement \(text)")
        }
        return id
    }

    func filer(_ id: AgreementID) -> StreamFiler<AgreementEvent, AgreementState> {
        let decider = AgreementDecider()
        return StreamFiler(store: store, stream: id.stream, initial: AgreementDecider.initialState, evolve: decider.evolve, cache: agreements)
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try agreement(context)
        let filing = try await FilingRequest.read(request)
        if filing.type == "AgreementDrafted" { try checkDraft(filing, matches: id) }
        // Only terms and refusals are checked against the district's lists: other filings spare the read.
        let catalogue =
            Self.readsLists.contains(filing.type)
            ? try await CataloguesController.load(store: store, stream: id.catalogue, district: id.district, year: id.year, cache: catalogues).state
            : CatalogueState()
        let decisionContext = AgreementDecider.Context(actor: try context.requireActor, occurredAt: filing.occurredAt, now: clock(), catalogue: catalogue)
        let decider = AgreementDecider()
        let outcome = try await filer(id).file(filing, ifMatch: try JSONResponse.ifMatch(request), idempotencyKey: try request.idempotencyKey(), context: context) {
            filing, state throws(DomainError) in try decider.decide(filing, decisionContext, state)
        }
        return try outcome.response(stream: id.stream, location: "/v1/agreements/\(id)")
    }

    /// The draft's parties and year must be the ones its id names.
    func checkDraft(_ filing: FilingRequest, matches id: AgreementID) throws {
        let draft: AgreementDrafted
        do {
            guard case .drafted(let decoded) = try AgreementEvent.decode(typeName: filing.type, data: filing.data) else { return }
            draft = decoded
        } catch let error as EventDecodingError {
            throw Problem(error)
        }
        guard draft.committee == id.committee.rawValue else {
            throw Problem.badRequest(field: "/data/committee", rule: "matches-agreement-id", "committee must be \(id.committee), as the agreement id \(id) says")
        }
        guard draft.year == id.year else {
            throw Problem.badRequest(field: "/data/year", rule: "matches-agreement-id", "year must be \(id.year), as the agreement id \(id) says")
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try agreement(context)
        let (state, version) = try await filer(id).load()
        guard state.status != .none else { throw Problem.notFound("agreement \(id)") }
        var headers = HTTPFields()
        headers[.eTag] = JSONResponse.etag(version)
        if request.headers[.ifNoneMatch] == JSONResponse.etag(version) {
            return Response(status: .notModified, headers: headers)
        }
        return try JSONResponse.make(AgreementView(id: id, state: state, version: version), headers: headers)
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try agreement(context)
        guard let page = try await EventPage.read(id.stream, store: store, request: request, path: "/v1/agreements/\(id)/events") else {
            throw Problem.notFound("agreement \(id)")
        }
        return page
    }
}
