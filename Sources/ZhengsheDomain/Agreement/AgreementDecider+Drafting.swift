/// Drafting and signing (起草与签署): the draft, whole versions of the terms, signatures and
/// refusals, and the checks terms must pass (the district's lists, 费随事转).
extension AgreementDecider {
    func draft(_ e: AgreementDrafted, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        guard state.status == .none else {
            throw DomainError(rule: "drafted-once", field: "/type", "this agreement was already drafted (协议已起草)")
        }
        guard let government = PartyCode(e.government), government.level == .government else {
            throw DomainError(rule: "government-code", field: "/data/government",
                              "government must be a 9-digit township code (街道/镇统计用区划代码), not '\(e.government)'")
        }
        guard let committee = PartyCode(e.committee), committee.level == .committee else {
            throw DomainError(rule: "committee-code", field: "/data/committee",
                              "committee must be a 12-digit village-level code (居(村)委会统计用区划代码), not '\(e.committee)'")
        }
        guard committee.government == government else {
            throw DomainError(rule: "committee-inside-government", field: "/data/committee",
                              "committee \(committee) is not inside street/town \(government) (居(村)委会不属于该街道/镇)")
        }
        guard context.actor.role == .government, context.actor.party == government else {
            throw forbidden("only street/town government \(government) drafts its agreements (由街道/镇起草)")
        }
        guard (2000...2100).contains(e.year) else {
            throw DomainError(rule: "year", field: "/data/year", "year \(e.year) is not plausible")
        }
        guard e.termStart <= e.termEnd else {
            throw DomainError(rule: "term", field: "/data/termEnd", "the term ends before it starts (协议期限)")
        }
        guard e.termStart.year == e.year else {
            throw DomainError(rule: "term-in-year", field: "/data/termStart", "the term must start in \(e.year) (协议年度)")
        }
        return [.drafted(e)]
    }

    func proposeTerms(_ e: TermsProposed, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(.government, context, state, "the government proposes the terms it drafted (协议文本由街道/镇提出)")
        guard state.status == .drafted else {
            throw DomainError(rule: "amend-after-effect", field: "/type",
                              "the agreement is in effect: its terms change only through a signed amendment (补充协议)")
        }
        guard e.termsVersion == state.latestTermsVersion + 1 else {
            throw DomainError(rule: "terms-version", field: "/data/termsVersion",
                              "the next terms version is \(state.latestTermsVersion + 1), not \(e.termsVersion)")
        }
        try validate(e.terms, at: "/data/terms", context, state)
        return [.termsProposed(e)]
    }

    func sign(_ e: AgreementSigned, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(e.side, context, state, "each side signs for itself (各方自行签署)")
        guard state.status == .drafted else {
            throw DomainError(rule: "signed-once", field: "/type", "the agreement is already in effect (协议已生效)")
        }
        guard state.latestTermsVersion > 0 else {
            throw DomainError(rule: "terms-proposed", field: "/data/termsVersion", "no terms have been proposed yet (尚无协议文本)")
        }
        guard e.termsVersion == state.latestTermsVersion, !state.refusedVersions.contains(e.termsVersion) else {
            throw DomainError(rule: "sign-latest-version", field: "/data/termsVersion",
                              "only the latest, unrefused terms version (\(state.latestTermsVersion)) can be signed, not \(e.termsVersion)")
        }
        guard state.signatures[e.side] != e.termsVersion else {
            throw DomainError(rule: "signed-once", field: "/data/side", "the \(e.side.rawValue) already signed version \(e.termsVersion)")
        }
        try requireText(e.signatory, "/data/signatory")
        try requireText(e.title, "/data/title")
        let terms = state.termsVersions[e.termsVersion]!
        try requireFunded(terms, at: "/data/termsVersion")
        var events: [AgreementEvent] = [.signed(e)]
        if state.signatures[e.side.other] == e.termsVersion {
            events.append(.tookEffect(.init(termsVersion: e.termsVersion, effectiveOn: context.date, fundingTotal: terms.fundingTotal)))
        }
        return events
    }

    func refuseSigning(_ e: SigningRefused, _ context: Context, _ state: AgreementState) throws(DomainError) -> [AgreementEvent] {
        try requireSide(e.side, context, state, "each side refuses for itself")
        guard state.status == .drafted else {
            throw DomainError(rule: "signed-once", field: "/type", "the agreement is already in effect (协议已生效)")
        }
        guard e.termsVersion == state.latestTermsVersion, !state.refusedVersions.contains(e.termsVersion) else {
            throw DomainError(rule: "sign-latest-version", field: "/data/termsVersion",
                              "only the latest terms version (\(state.latestTermsVersion)) can be refused")
        }
        try requireText(e.reason, "/data/reason")
        return [.signingRefused(e)]
    }

    func validate(_ terms: AgreementTerms, at base: String, _ context: Context, _ state: AgreementState) throws(DomainError) {
        guard !terms.items.isEmpty else {
            throw DomainError(rule: "items-required", field: "\(base)/items", "an agreement takes on at least one assistance item (协助事项)")
        }
        var ids = Set<String>()
        for (i, item) in terms.items.enumerated() {
            let at = "\(base)/items/\(i)"
            try requireText(item.itemId, "\(at)/itemId")
            guard ids.insert(item.itemId).inserted else {
                throw DomainError(rule: "unique-id", field: "\(at)/itemId", "item id \(item.itemId) appears twice")
            }
            try requireText(item.title, "\(at)/title")
            let onList = context.catalogue.assistanceItems[item.code] != nil
            let admitted = context.catalogue.admissions[item.code]?.isInForce(on: state.termStart ?? context.date) == true
            guard onList || admitted else {
                throw DomainError(rule: "item-on-assistance-list", field: "\(at)/code",
                                  "\(item.code) is neither on the district's assistance list (协助政府工作事项清单) for \(state.year) nor an admitted task (准入事项)")
            }
            guard item.funding >= 0 else {
                throw DomainError(rule: "amount-not-negative", field: "\(at)/funding", "funding is in fen and cannot be negative")
            }
            for (j, indicator) in item.indicators.enumerated() {
                try requireText(indicator.name, "\(at)/indicators/\(j)/name")
            }
        }
        for (i, code) in terms.lawfulDuties.enumerated() where context.catalogue.lawfulDuties[code] == nil {
            throw DomainError(rule: "duty-on-lawful-list", field: "\(base)/lawfulDuties/\(i)",
                              "\(code) is not on the district's lawful-duty list (依法履职事项清单)")
        }
        var installmentIds = Set<String>()
        for (i, installment) in terms.installments.enumerated() {
            guard installmentIds.insert(installment.installmentId).inserted else {
                throw DomainError(rule: "unique-id", field: "\(base)/installments/\(i)/installmentId", "installment id \(installment.installmentId) appears twice")
            }
            guard installment.amount > 0 else {
                throw DomainError(rule: "amount-positive", field: "\(base)/installments/\(i)/amount", "an installment (拨付批次) is a positive amount in fen")
            }
        }
        var clauseIds = Set<String>()
        for (i, clause) in terms.breachClauses.enumerated() {
            guard clauseIds.insert(clause.clauseId).inserted else {
                throw DomainError(rule: "unique-id", field: "\(base)/breachClauses/\(i)/clauseId", "clause id \(clause.clauseId) appears twice")
            }
            guard clause.deductionCap >= 0 else {
                throw DomainError(rule: "amount-not-negative", field: "\(base)/breachClauses/\(i)/deductionCap", "a cap is in fen and cannot be negative")
            }
        }
        for side in Side.allCases where !terms.breachClauses.contains(where: { $0.party == side }) {
            throw DomainError(rule: "both-sides-liable", field: "\(base)/breachClauses",
                              "the terms need a breach clause for the \(side.rawValue) (\(side.chinese)) too: liability runs both ways (双方违约责任)")
        }
    }

    func requireFunded(_ terms: AgreementTerms, at field: String) throws(DomainError) {
        let unfunded = terms.unfundedItems
        guard unfunded.isEmpty else {
            throw DomainError(rule: "funding-follows-task", field: field,
                              "费随事转: items without funding or working conditions cannot be signed: \(unfunded.map(\.item.itemId).joined(separator: ", "))")
        }
        guard terms.scheduledTotal == terms.fundingTotal else {
            throw DomainError(rule: "schedule-matches-funding", field: field,
                              "the installments (拨付批次) add up to \(terms.scheduledTotal) fen, the items' funding to \(terms.fundingTotal) fen")
        }
    }
}
