public import Foundation
public import Logging
import ZhengsheApplication
public import ZhengsheDomain
public import ZhengsheStore

/// Fills a database with a synthetic city-year, every filing decided by the same deciders as real
/// filings (through the application's ``BulkFiling``), so each event is one the service would have
/// accepted.
public struct CityGenerator: Sendable {
    public struct Summary: Sendable {
        public var districts = 0
        public var agreements = 0
        public var events = 0
        /// Filings the deciders refused: a generator bug if ever above zero.
        public var refused = 0
        public var seconds = 0.0
        public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }
    }

    public let plan: CityPlan
    public let store: any EventStore
    public let logger: Logger
    /// Nothing is generated after this instant (events never lie in the future).
    public let cutoff: Date
    /// Agreements appended at once.
    public let parallelism: Int

    public init(plan: CityPlan, store: any EventStore, logger: Logger, cutoff: Date = Date(), parallelism: Int = 8) {
        self.plan = plan
        self.store = store
        self.logger = logger
        self.cutoff = cutoff
        self.parallelism = parallelism
    }

    public func run() async throws -> Summary {
        let started = ContinuousClock.now
        var summary = Summary()
        let root = SeededRandom(seed: plan.seed)
        for district in plan.districtCodes {
            let lists = catalogueFilings(district, root.fork("catalogue-\(district)"))
            summary.refused += lists.refused
            let catalogue = lists.state
            summary.events += try await BulkFiling.append(lists.events, to: try StreamID(CatalogueID(district: district, year: plan.year)!.stream), store: store)
            summary.districts += 1
            let committees = plan.streets(in: district).flatMap { plan.committees(in: $0) }
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                var next = 0
                func schedule(_ group: inout ThrowingTaskGroup<(Int, Int), any Error>) {
                    guard next < committees.count else { return }
                    let committee = committees[next]
                    next += 1
                    group.addTask {
                        let filings = AgreementScript(plan: plan, committee: committee, catalogue: catalogue, cutoff: cutoff,
                                                      random: root.fork("agreement-\(committee)")).filings()
                        let decided = BulkFiling.decide(filings, decider: AgreementDecider(), lookups: catalogue, now: cutoff, requestID: Demo.requestID)
                        let id = AgreementID(committee: committee, year: plan.year)!
                        let appended = try await BulkFiling.append(decided.events, to: try StreamID(id.stream), store: store)
                        return (appended, decided.refused)
                    }
                }
                for _ in 0..<parallelism { schedule(&group) }
                while let (appended, refused) = try await group.next() {
                    summary.events += appended
                    summary.refused += refused
                    summary.agreements += 1
                    if summary.agreements % 100 == 0 {
                        logger.info("seeding", metadata: ["agreements": "\(summary.agreements)", "events": "\(summary.events)"])
                    }
                    schedule(&group)
                }
            }
        }
        // Each district's evaluation of the year: the two sides' scores and the residents' survey.
        for district in plan.districtCodes {
            let committees = plan.streets(in: district).flatMap { plan.committees(in: $0) }
            let id = EvaluationID(district: district, year: plan.year)!
            let decided = BulkFiling.decide(
                evaluationFilings(district, committees: committees, root.fork("evaluation-\(district)")), decider: EvaluationDecider(id),
                lookups: EvaluationLookups(globalPosition: 0, transactionHorizon: 0), now: cutoff, requestID: Demo.requestID)
            summary.refused += decided.refused
            summary.events += try await BulkFiling.append(decided.events, to: try StreamID(id.stream), store: store)
        }
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return summary
    }

    /// The district's lists for the year, decided; nothing after the cutoff is filed.
    func catalogueFilings(_ district: PartyCode, _ random: SeededRandom) -> BulkFiling.Decided<CatalogueState> {
        var random = random
        let bureau = Actor(name: "\(district)民政局", role: .district, party: district)
        var filings: [ScriptedFiling<CatalogueEvent>] = []
        func file(_ filing: CatalogueEvent, by actor: Actor, on date: LocalDate) {
            let at = Demo.time(date, &random)
            if at <= cutoff { filings.append(ScriptedFiling(filing, by: actor, at: at)) }
        }
        let published = LocalDate(year: plan.year, month: 1, day: 2)!
        for (n, title) in Demo.lawfulDuties.enumerated() {
            file(.listItemPublished(.init(list: .lawfulDuty, code: String(format: "L%02d", n + 1), title: title, legalBasis: "《城市居民委员会组织法》")), by: bureau, on: published)
        }
        for n in 0..<Demo.assistanceListSize {
            let title = Demo.assistanceTitles[n % Demo.assistanceTitles.count] + (n < Demo.assistanceTitles.count ? "" : "（\(n / Demo.assistanceTitles.count + 1)）")
            file(.listItemPublished(.init(list: .assistance, code: String(format: "A%02d", n + 1), title: title, suggestedIndicators: ["完成率"])), by: bureau, on: published)
        }
        for n in 0..<Int.random(in: 3...6, using: &random) {
            let street = plan.streets(in: district)[n % plan.streetsPerDistrict]
            let government = Actor(name: "\(street)街道办", role: .government, party: street)
            let id = "ADM-\(district)-\(n + 1)"
            let (department, title) = Demo.admissionRequests[n % Demo.admissionRequests.count]
            file(.admissionRequested(.init(admissionId: id, department: department, kind: .survey, title: title)), by: government, on: published.adding(days: 5 + n))
            if n == 0 && random.chance(0.5) {
                file(.admissionRejected(.init(admissionId: id, reason: "与现有事项重复")), by: bureau, on: published.adding(days: 20))
            } else {
                file(.admissionGranted(.init(admissionId: id, validFrom: LocalDate(year: plan.year, month: 1, day: 1)!, validUntil: LocalDate(year: plan.year, month: 12, day: 31)!)),
                     by: bureau, on: published.adding(days: 20 + n))
            }
        }
        return BulkFiling.decide(filings, decider: CatalogueDecider(district: district, year: plan.year), lookups: (), now: cutoff, requestID: Demo.requestID)
    }
}

extension CityGenerator {
    /// A district's evaluation of the year under the default scheme: opened by the bureau, every
    /// committee scored by its government and its government by it, every committee's residents
    /// surveyed by the third party. Filed in late December, or just before the cutoff when the
    /// year is not over; left open (finalizing is the bureau's to do).
    func evaluationFilings(_ district: PartyCode, committees: [PartyCode], _ seed: SeededRandom) -> [ScriptedFiling<EvaluationEvent>] {
        var random = seed
        func at(_ december: Int, hoursBefore: Double) -> Date {
            min(LocalDate(year: plan.year, month: 12, day: december)!.start.addingTimeInterval(10 * 3600), cutoff.addingTimeInterval(-hoursBefore * 3600))
        }
        let bureau = Actor(name: "区民政局 基层政权科", role: .district, party: district)
        let evaluator = Actor(name: "第三方评估机构", role: .evaluator, party: district, year: plan.year)
        var filings = [ScriptedFiling(EvaluationEvent.opened(.init(scheme: .changzhou(year: plan.year))), by: bureau, at: at(15, hoursBefore: 3))]
        func dimension(_ comment: String) -> GovernmentAssessed.DimensionScore { .init(score: Int.random(in: 65...98, using: &random), comment: comment) }
        for committee in committees {
            let government = Actor(name: "街道办 王主任", role: .government, party: committee.government)
            let own = Actor(name: "居委会 李书记", role: .committee, party: committee)
            filings.append(ScriptedFiling(.committeeAssessed(.init(
                committee: committee.rawValue, score: Int.random(in: 70...98, using: &random), comment: "年度协助事项完成情况良好，台账基本规范")),
                by: government, at: at(20, hoursBefore: 2)))
            filings.append(ScriptedFiling(.governmentAssessed(.init(
                committee: committee.rawValue, guidance: dimension("业务指导较及时"), service: dimension("服务响应较快"),
                interference: dimension("摊派事项有所减少"), funding: dimension("经费拨付基本按期"))), by: own, at: at(20, hoursBefore: 2)))
            let ordinary = Int.random(in: 45...60, using: &random)
            let representatives = Int.random(in: 5...12, using: &random)
            let total = ordinary + representatives
            func question(_ id: String, _ about: Side, _ text: String) -> SurveyResultsSubmitted.Question {
                let dissatisfied = Int.random(in: 0...(total / 8), using: &random)
                let basically = Int.random(in: 0...(total - dissatisfied) / 3, using: &random)
                return .init(questionId: id, about: about, text: text, satisfied: total - dissatisfied - basically, basicallySatisfied: basically, dissatisfied: dissatisfied)
            }
            filings.append(ScriptedFiling(.surveyResultsSubmitted(.init(
                committee: committee.rawValue, respondents: .init(ordinaryResidents: ordinary, representatives: representatives, others: 0),
                questions: [
                    question("q1", .committee, "您对本社区居委会的工作是否满意"), question("q2", .committee, "您对居委会为民服务是否满意"),
                    question("q3", .government, "您对街道(镇)的服务与指导是否满意"),
                ])), by: evaluator, at: at(28, hoursBefore: 1)))
        }
        return filings
    }
}

enum Demo {
    /// The request id recorded on every seeded event.
    static let requestID = "demo-seed"

    /// A working-hours instant on `date` in Shanghai.
    static func time(_ date: LocalDate, _ random: inout SeededRandom) -> Date {
        date.start.addingTimeInterval(Double(Int.random(in: 9 * 3600...17 * 3600, using: &random)))
    }

    static let assistanceListSize = 80

    static let lawfulDuties = [
        "召开居民会议", "办理本居住地区居民的公共事务和公益事业", "调解民间纠纷", "协助维护社会治安", "向人民政府反映居民的意见",
        "开展便民利民的社区服务", "管理本居民委员会的财产", "开展多种形式的社会主义精神文明建设", "组织居民公约的制定", "居务公开",
    ]

    static let assistanceTitles = [
        "人口信息采集", "流动人口登记", "社会救助初审", "低保对象走访", "残疾人服务", "老龄工作", "计划生育服务", "就业登记与失业调查",
        "社会保险参保动员", "医疗保险协办", "征兵宣传", "双拥优抚", "安全生产巡查", "消防安全检查", "食品安全宣传", "环境卫生整治",
        "垃圾分类宣传", "爱国卫生运动", "禁毒宣传", "综合治理", "矛盾纠纷排查", "防汛防台", "人民调解协助", "法治宣传",
        "统计调查协助", "房屋租赁登记", "文化体育活动", "科普宣传", "青少年教育", "妇女儿童权益保护", "志愿服务组织", "社区矫正协助",
        "退役军人服务", "地质灾害巡查", "动物防疫协助", "农村土地确权协助", "村庄规划宣传", "水利设施巡查", "秸秆禁烧巡查", "公共服务事项代办",
    ]

    static let admissionRequests = [
        ("住建局", "房屋安全普查"), ("统计局", "人口抽样调查"), ("卫健委", "健康档案核查"), ("市场监管局", "小微企业摸底"),
        ("应急管理局", "隐患排查台账"), ("文旅局", "文化设施调查"),
    ]

    static let departments = ["文明办", "宣传部", "团区委", "科协", "档案局", "气象局"]
    static let refusedTasks = ["创建工作台账", "悬挂标识牌匾", "填报重复报表", "组织问卷调查", "开具证明材料", "迎检资料整理"]
}

extension CityGenerator {
    /// The district's lists as the generator publishes them (the same for the same plan).
    public func catalogue(for district: PartyCode) -> CatalogueState {
        catalogueFilings(district, SeededRandom(seed: plan.seed).fork("catalogue-\(district)")).state
    }

    /// An agreement in effect for `committee` with `guidance` guidance visits after it: a stream
    /// of exactly 5 + `guidance` events, for measuring filings against stream length.
    public func agreementInEffect(committee: PartyCode, catalogue: CatalogueState, guidance: Int, at date: Date) throws -> [NewEvent] {
        var random = SeededRandom(seed: plan.seed).fork("fixture-\(committee)")
        let script = AgreementScript(plan: plan, committee: committee, catalogue: catalogue, cutoff: cutoff, random: random)
        let government = committee.government!
        let gov = Actor(name: "\(government)街道办", role: .government, party: government)
        let com = Actor(name: "\(committee)居委会", role: .committee, party: committee)
        let start = LocalDate(year: plan.year, month: 1, day: 1)!
        let filings: [ScriptedFiling<AgreementEvent>] = [
            .init(.drafted(.init(government: government.rawValue, committee: committee.rawValue, year: plan.year, termStart: start, termEnd: LocalDate(year: plan.year, month: 12, day: 31)!)), by: gov, at: date),
            .init(.termsProposed(.init(termsVersion: 1, terms: script.makeTerms(&random))), by: gov, at: date),
            .init(.signed(.init(side: .government, signatory: "王主任", title: "主任", termsVersion: 1)), by: gov, at: date),
            .init(.signed(.init(side: .committee, signatory: "李书记", title: "主任", termsVersion: 1)), by: com, at: date),
        ] + (0..<guidance).map { .init(.guidanceGiven(.init(guidanceId: "fixture-\($0)", kind: .visit, itemId: nil, summary: "指导")), by: gov, at: date) }
        let decided = BulkFiling.decide(filings, decider: AgreementDecider(), lookups: catalogue, now: cutoff, requestID: Demo.requestID)
        guard decided.refused == 0 else { throw FixtureRefused(committee: committee, refused: decided.refused) }
        return decided.events
    }
}

/// The fixture's own filings were refused: a generator bug.
struct FixtureRefused: Error, CustomStringConvertible {
    var committee: PartyCode
    var refused: Int
    var description: String { "\(refused) fixture filings for \(committee) were refused by the rules" }
}
