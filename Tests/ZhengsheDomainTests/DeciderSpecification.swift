import Foundation
import Testing
import ZhengsheDomain

/// Given events, when a filing, then events or an error: the shape of every decider test, for any
/// stream's decider (Emmett's `DeciderSpecification` is the model). `file` goes through the rules
/// every stream shares, as the service does.
struct DeciderSpecification<D: Decider> {
    let decider: D
    var history: [D.Event]
    /// What the decider may read outside its stream.
    var lookups: D.Lookups
    /// The service's clock.
    var now: Date

    init(_ decider: D, given history: [D.Event] = [], lookups: D.Lookups, now: Date = Fixtures.now) {
        self.decider = decider
        self.history = history
        self.lookups = lookups
        self.now = now
    }

    var state: D.State { decider.fold(history) }

    func when(_ filing: D.Event, by actor: Actor, at date: Date = Fixtures.on("2026-06-15")) throws(DomainError) -> [D.Event] {
        try decider.file(filing, DecisionContext(actor: actor, occurredAt: date, now: now, lookups: lookups), state)
    }

    /// Expects `filing` to be recorded as exactly `events`.
    func then(_ filing: D.Event, by actor: Actor, at date: Date = Fixtures.on("2026-06-15"), records events: [D.Event],
              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            #expect(try when(filing, by: actor, at: date) == events, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected \(events.map(\.typeName)), got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Files and records, for building histories step by step.
    mutating func file(_ filing: D.Event, by actor: Actor, at date: Date = Fixtures.on("2026-06-15")) throws {
        history += try when(filing, by: actor, at: date)
    }

    /// Expects `filing` to break `rule` (at `field`, of `kind`, when given) and so record nothing.
    func expectRefusal(
        _ filing: D.Event, by actor: Actor, at date: Date = Fixtures.on("2026-06-15"),
        rule: String, field: String? = nil, kind: DomainError.Kind? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let events = try when(filing, by: actor, at: date)
            Issue.record("expected \(rule), got \(events.map(\.typeName))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.rule == rule, "\(error)", sourceLocation: sourceLocation)
            if let field { #expect(error.field == field, "\(error)", sourceLocation: sourceLocation) }
            if let kind { #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation) }
        }
    }
}

extension DeciderSpecification where D == AgreementDecider {
    init(_ history: [AgreementEvent] = []) {
        self.init(AgreementDecider(), given: history, lookups: Fixtures.catalogue)
    }
}

extension DeciderSpecification where D == CatalogueDecider {
    init(lists history: [CatalogueEvent] = []) {
        self.init(CatalogueDecider(district: Fixtures.district, year: 2026), given: history, lookups: ())
    }
}

typealias S = DeciderSpecification<AgreementDecider>

/// The parties, lists and agreement that the decider tests share.
enum Fixtures {
    static let district = PartyCode("320412")!
    static let government = PartyCode("320412001")!
    static let committee = PartyCode("320412001001")!
    static let otherGovernment = PartyCode("320412002")!
    static let otherCommittee = PartyCode("320412002001")!

    static let governmentActor = Actor(name: "街道办 王", role: .government, party: government)
    static let committeeActor = Actor(name: "居委会 李书记", role: .committee, party: committee)
    static let districtActor = Actor(name: "民政局 张", role: .district, party: district)

    static let catalogue: CatalogueState = {
        let decider = CatalogueDecider(district: district, year: 2026)
        var state = decider.initialState
        for code in ["A01", "A02", "A03"] {
            state = decider.evolve(state, .listItemPublished(.init(list: .assistance, code: code, title: "协助事项 \(code)")))
        }
        state = decider.evolve(state, .listItemPublished(.init(list: .lawfulDuty, code: "L01", title: "依法履职事项 L01")))
        state = decider.evolve(state, .admissionRequested(.init(admissionId: "ADM-7", department: "住建局", kind: .survey, title: "房屋普查", requestedBy: "320412001")))
        state = decider.evolve(state, .admissionGranted(.init(admissionId: "ADM-7", validFrom: LocalDate("2026-01-01")!, validUntil: LocalDate("2026-12-31")!)))
        return state
    }()

    static let now = LocalDate("2026-12-31")!.start.addingTimeInterval(20 * 3600)

    static func on(_ date: String) -> Date { LocalDate(date)!.start.addingTimeInterval(10 * 3600) }

    static let drafted = AgreementEvent.drafted(.init(
        government: "320412001", committee: "320412001001", year: 2026,
        termStart: LocalDate("2026-01-01")!, termEnd: LocalDate("2026-12-31")!))

    static func terms(funding: Int64 = 120_000_00, conditions: String? = nil, installments: [Int64]? = nil, cap: Int64 = 5_000_00) -> AgreementTerms {
        AgreementTerms(
            items: [
                AssistanceItem(itemId: "i1", code: "A01", title: "人口信息采集", requirements: "每月更新", indicators: [.init(name: "records", target: 100, unit: "户", period: "month")],
                               frequency: .monthly, dueDates: nil, funding: funding, workingConditions: conditions),
                AssistanceItem(itemId: "i2", code: "ADM-7", title: "房屋普查", requirements: nil, indicators: [.init(name: "houses", target: 300, unit: "套", period: "quarter")],
                               frequency: .quarterly, dueDates: nil, funding: 30_000_00, workingConditions: nil),
            ],
            lawfulDuties: ["L01"],
            governmentCommitments: [.init(commitmentId: "g1", kind: .training, description: "季度业务培训", itemId: "i1")],
            installments: (installments ?? [(funding + 30_000_00) / 2, (funding + 30_000_00) - (funding + 30_000_00) / 2]).enumerated().map {
                Installment(installmentId: "p\($0.offset + 1)", dueDate: LocalDate($0.offset == 0 ? "2026-03-31" : "2026-09-30")!, amount: $0.element)
            },
            breachClauses: [
                .init(clauseId: "c-gov-1", party: .government, description: "未按期拨付经费", deductionCap: cap, rectificationDays: 15),
                .init(clauseId: "c-com-1", party: .committee, description: "未按要求完成协助事项", deductionCap: cap, rectificationDays: 30),
            ]
        )
    }

    static var inEffect: [AgreementEvent] {
        [
            drafted,
            .termsProposed(.init(termsVersion: 1, terms: terms())),
            .signed(.init(side: .government, signatory: "王主任", title: "街道办主任", termsVersion: 1)),
            .signed(.init(side: .committee, signatory: "李书记", title: "居委会主任", termsVersion: 1)),
            .tookEffect(.init(termsVersion: 1, effectiveOn: LocalDate("2026-01-10")!, fundingTotal: 150_000_00)),
        ]
    }
}
