import Foundation
import ZhengsheApplication
import ZhengsheDomain

/// One committee's agreement for the year, as its parties would file it, decided step by step.
struct AgreementScript {
    let plan: CityPlan
    let committee: PartyCode
    let catalogue: CatalogueState
    let cutoff: Date
    var random: SeededRandom

    /// The year's filings, in the order the parties would make them; the deciders judge them when
    /// they are filed.
    func filings() -> [ScriptedFiling<AgreementEvent>] {
        var random = self.random
        let government = committee.government!
        let district = committee.district
        let gov = Actor(name: "\(government)街道办", role: .government, party: government)
        let com = Actor(name: "\(committee)居委会", role: .committee, party: committee)
        let bureau = Actor(name: "\(district)民政局", role: .district, party: district)
        let year = plan.year
        func day(_ month: Int, _ day: Int) -> LocalDate { LocalDate(year: year, month: month, day: min(day, 28))! }

        var filings: [ScriptedFiling<AgreementEvent>] = []
        let stop = LocalDate(cutoff)
        func file(_ filing: AgreementEvent, by actor: Actor, on date: LocalDate) {
            guard date <= stop else { return }
            let at = Demo.time(date, &random)
            guard at <= cutoff else { return }
            filings.append(ScriptedFiling(filing, by: actor, at: at))
        }

        // Drafting and terms.
        let draftDay = day(1, Int.random(in: 3...8, using: &random))
        file(.drafted(.init(government: government.rawValue, committee: committee.rawValue, year: year,
                            termStart: LocalDate(year: year, month: 1, day: 1)!, termEnd: LocalDate(year: year, month: 12, day: 31)!)), by: gov, on: draftDay)
        var terms = makeTerms(&random)
        file(.termsProposed(.init(termsVersion: 1, terms: terms)), by: gov, on: draftDay)
        var version = 1
        var signDay = draftDay.adding(days: Int.random(in: 2...6, using: &random))
        if random.chance(0.05) {
            file(.signingRefused(.init(side: .committee, termsVersion: 1, reason: "经费标准偏低，请调整")), by: com, on: signDay)
            terms = raise(terms, by: 0.1)
            version = 2
            signDay = signDay.adding(days: 3)
            file(.termsProposed(.init(termsVersion: 2, terms: terms)), by: gov, on: signDay)
        }
        file(.signed(.init(side: .government, signatory: "王主任", title: "街道办事处主任", termsVersion: version)), by: gov, on: signDay)
        file(.signed(.init(side: .committee, signatory: "李书记", title: "居委会主任", termsVersion: version)), by: com, on: signDay.adding(days: 1))

        // A mid-year amendment for some.
        if random.chance(0.1) {
            let amended = raise(terms, by: 0.15, extraInstallment: day(11, 20))
            let proposed = day(6, Int.random(in: 1...20, using: &random))
            file(.amendmentProposed(.init(amendmentId: "am-1", proposedBy: .government, rationale: "工作量增加，追加经费", terms: amended)), by: gov, on: proposed)
            file(.amendmentSigned(.init(amendmentId: "am-1", side: .government, signatory: "王主任", title: "主任")), by: gov, on: proposed.adding(days: 2))
            file(.amendmentSigned(.init(amendmentId: "am-1", side: .committee, signatory: "李书记", title: "主任")), by: com, on: proposed.adding(days: 3))
            terms = amended
        }

        // The year, month by month: reports and their verification, money, guidance, refusals, claims.
        let claimMonth = random.chance(0.06) ? Int.random(in: 4...9, using: &random) : nil
        let refusalMonth = random.chance(0.04) ? Int.random(in: 3...10, using: &random) : nil
        for month in 1...12 {
            for item in terms.items {
                let period: String?
                switch item.frequency {
                case .monthly: period = String(format: "%04d-%02d", year, month)
                case .quarterly: period = month % 3 == 0 ? "\(year)-Q\(month / 3)" : nil
                case .halfYearly: period = month % 6 == 0 ? "\(year)-H\(month / 6)" : nil
                case .annual, .once: period = month == 12 ? "\(year)" : nil
                }
                guard let period else { continue }
                // Due on the 5th of the next month (December's by the 31st): most on time, some a day or two late.
                let reportDay = month == 12 ? day(12, Int.random(in: 20...28, using: &random)) : day(month + 1, Int.random(in: 1...7, using: &random))
                let reportId = "r-\(item.itemId)-\(period)"
                let values = Dictionary(uniqueKeysWithValues: item.indicators.map { ($0.name, ($0.target * Double.random(in: 0.8...1.1, using: &random)).rounded()) })
                file(.dutyReported(.init(reportId: reportId, itemId: item.itemId, period: period, indicatorValues: values, evidence: ["台账/\(period)/\(item.itemId)"])), by: com, on: reportDay)
                let checkDay = reportDay.adding(days: Int.random(in: 1...3, using: &random))
                if random.chance(0.04) {
                    file(.reportRejected(.init(reportId: reportId, reason: "台账不完整")), by: gov, on: checkDay)
                    file(.dutyReported(.init(reportId: reportId + "-b", itemId: item.itemId, period: period, indicatorValues: values, evidence: ["台账/\(period)/\(item.itemId)/补充"])), by: com, on: checkDay.adding(days: 2))
                    file(.reportVerified(.init(reportId: reportId + "-b")), by: gov, on: checkDay.adding(days: 3))
                } else {
                    file(.reportVerified(.init(reportId: reportId)), by: gov, on: checkDay)
                }
            }
            for installment in terms.installments where installment.dueDate.month == month {
                let late = random.chance(0.08)
                let short = random.chance(0.04)
                let paid = installment.dueDate.adding(days: late ? Int.random(in: 5...25, using: &random) : -Int.random(in: 0...5, using: &random))
                let amount = short ? installment.amount / 100 * 90 : installment.amount
                let transferId = "t-\(installment.installmentId)"
                file(.fundsTransferred(.init(transferId: transferId, installmentId: installment.installmentId, amount: amount, valueDate: paid, voucher: "财拨\(year)-\(transferId)")), by: gov, on: paid)
                if short {
                    file(.receiptDiscrepancyReported(.init(transferId: transferId, receivedAmount: amount, reason: "到账金额少于拨付计划")), by: com, on: paid.adding(days: 2))
                } else {
                    file(.receiptConfirmed(.init(transferId: transferId)), by: com, on: paid.adding(days: 2))
                }
            }
            if random.chance(0.6) {
                let item = terms.items[Int.random(in: 0..<terms.items.count, using: &random)]
                let kind: GuidanceGiven.Kind = [.visit, .training, .document][Int.random(in: 0..<3, using: &random)]
                file(.guidanceGiven(.init(guidanceId: "gd-\(month)", kind: kind, itemId: item.itemId, summary: "\(item.title)业务指导")), by: gov, on: day(month, Int.random(in: 8...25, using: &random)))
            }
            if month == refusalMonth {
                let department = Demo.departments[Int.random(in: 0..<Demo.departments.count, using: &random)]
                let task = Demo.refusedTasks[Int.random(in: 0..<Demo.refusedTasks.count, using: &random)]
                file(.taskRefused(.init(refusalId: "x-\(month)", requestingDepartment: department, task: task, requestedOn: day(month, 10))), by: com, on: day(month, 12))
            }
            if month == claimMonth {
                let claimant: Side = random.chance(0.6) ? .committee : .government
                let clause = terms.breachClauses.first { $0.party == claimant.other }!
                let (claimantActor, respondent) = claimant == .committee ? (com, gov) : (gov, com)
                file(.breachClaimFiled(.init(claimId: "b-\(month)", claimant: claimant, clauseId: clause.clauseId, description: clause.description)), by: claimantActor, on: day(month, 14))
                if random.chance(0.15) {
                    file(.breachClaimWithdrawn(.init(claimId: "b-\(month)", reason: "已协商解决")), by: claimantActor, on: day(month, 20))
                } else {
                    file(.breachClaimAnswered(.init(claimId: "b-\(month)", response: "已说明情况")), by: respondent, on: day(month, 18))
                    let upheld = random.chance(0.6)
                    let deduction = upheld ? clause.deductionCap / 100 * Int64.random(in: 10...100, using: &random) : nil
                    file(.breachClaimSettled(.init(claimId: "b-\(month)", outcome: upheld ? .partlyUpheld : .dismissed, deduction: deduction,
                                                   rectificationDeadline: upheld ? day(month + 1, 25) : nil, reasoning: upheld ? "部分成立" : "证据不足")), by: bureau, on: day(month + 1, 1))
                    if upheld {
                        file(.rectificationReported(.init(claimId: "b-\(month)", summary: "已按要求整改")), by: respondent, on: day(month + 1, 20))
                    }
                }
            }
        }
        file(.closed(.init(note: "年度履约结束")), by: gov, on: LocalDate(year: year, month: 12, day: 31)!)
        return filings
    }

    func makeTerms(_ random: inout SeededRandom) -> AgreementTerms {
        let count = Int.random(in: 20...min(80, Demo.assistanceListSize), using: &random)
        let codes = Array((1...Demo.assistanceListSize).shuffled(using: &random).prefix(count)).sorted()
        let items: [AssistanceItem] = codes.enumerated().map { n, code in
            let roll = Double.random(in: 0..<1, using: &random)
            let frequency: AssistanceItem.Frequency = roll < 0.15 ? .monthly : roll < 0.75 ? .quarterly : roll < 0.85 ? .halfYearly : .annual
            let conditions = random.chance(0.1)
            let code = String(format: "A%02d", code)
            return AssistanceItem(
                itemId: "i\(n + 1)", code: code, title: catalogue.assistanceItems[code]?.title ?? code, requirements: "按要求完成并报送台账",
                indicators: [Indicator(name: "完成率", target: 100, unit: "%", period: frequency == .monthly ? "month" : "quarter")],
                frequency: frequency, dueDates: Self.dueDates(frequency, year: plan.year),
                funding: conditions ? 0 : Int64.random(in: 50...500, using: &random) * 10_000,
                workingConditions: conditions ? "提供办公场所和设备" : nil)
        }
        let total = items.reduce(0) { $0 + $1.funding }
        let year = plan.year
        let quarter = total / 4
        let installments = (1...4).map { q in
            Installment(installmentId: "p\(q)", dueDate: LocalDate(year: year, month: q * 3, day: q == 1 || q == 4 ? 31 : 30)!, amount: q == 4 ? total - quarter * 3 : quarter)
        }
        return AgreementTerms(
            items: items, lawfulDuties: ["L01", "L03", "L06"],
            governmentCommitments: [GovernmentCommitment(commitmentId: "gc-1", kind: .training, description: "每季度业务培训", itemId: nil)],
            installments: installments,
            breachClauses: [
                BreachClause(clauseId: "c-gov-1", party: .government, description: "未按期足额拨付经费", deductionCap: 500_000, rectificationDays: 15),
                BreachClause(clauseId: "c-gov-2", party: .government, description: "摊派未准入事项", deductionCap: 300_000, rectificationDays: 10),
                BreachClause(clauseId: "c-com-1", party: .committee, description: "未按要求完成协助事项", deductionCap: 300_000, rectificationDays: 30),
                BreachClause(clauseId: "c-com-2", party: .committee, description: "台账弄虚作假", deductionCap: 500_000, rectificationDays: 15),
            ])
    }

    /// The same terms with every funded item raised by `fraction`, the difference added to the last
    /// installment (or to a new one on `extraInstallment`).
    func raise(_ terms: AgreementTerms, by fraction: Double, extraInstallment: LocalDate? = nil) -> AgreementTerms {
        var raised = terms
        raised.items = terms.items.map { item in
            var item = item
            item.funding = item.funding + Int64(Double(item.funding) * fraction) / 100 * 100
            return item
        }
        let extra = raised.fundingTotal - terms.fundingTotal
        if let date = extraInstallment {
            raised.installments.append(Installment(installmentId: "p-extra", dueDate: date, amount: max(extra, 1)))
            if extra == 0 { raised.items[0].funding += 1 }
        } else {
            raised.installments[raised.installments.count - 1].amount += extra
        }
        return raised
    }

    /// The 5th of the month after each period ends, and 31 December for the year's last period:
    /// the usual deadline for a month's, a quarter's or a half year's report.
    static func dueDates(_ frequency: AssistanceItem.Frequency, year: Int) -> [LocalDate] {
        let months: [Int] =
            switch frequency {
            case .monthly: Array(2...12)
            case .quarterly: [4, 7, 10]
            case .halfYearly: [7]
            case .annual, .once: []
            }
        return months.map { LocalDate(year: year, month: $0, day: 5)! } + [LocalDate(year: year, month: 12, day: 31)!]
    }
}
