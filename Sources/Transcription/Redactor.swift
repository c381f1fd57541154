import CallQAModel

/// Takes digit runs out of a party's words before they are stored (PCI DSS: card numbers and
/// security codes said on a call must not end up in clear text anywhere). A run is a
/// sequence of number words — digits as written (`4111`, `4111-1111`, `12.`) and digits as
/// spoken (`four five six`, `forty one`, `double seven`, in English, German, French, Spanish,
/// Italian, Portuguese, Dutch, Polish and Russian) — with pauses under `maxGapS` between
/// them. A run is replaced by one word `[redacted]` spanning its time when it holds
/// `minDigits` digits or more (card numbers, phone numbers, account numbers), or
/// `minContextDigits` or more within `contextWords` words after a word that announces a code
/// (`security code`, `CVV`, `PIN`, `expiry`, `Prüfnummer`, `код`, …). Shorter numbers (`two
/// days`, `24 hours`, `room 12`) are kept. Homophones of digits (`for`, `to`, `oh`, `won`,
/// `ate`) count only between other digits.
public enum Redactor {
    public static let minDigits = TranscriptText.redactionMinDigits
    public static let minContextDigits = 3
    public static let contextWords = 12
    public static let maxGapS = 1.5
    /// Groups of one number: at most this many filler words and seconds between two.
    public static let maxBridgeWords = 3
    public static let maxBridgeS = 6.0
    /// A code announced by the other party: a run starting within this many seconds after.
    public static let contextS = 20.0

    /// The words with every qualifying run replaced, and how many runs were.
    ///
    /// Runs said in groups (`4539 … 1488 … 0343 … 6467`, the way a card is read out, with
    /// pauses while the agent writes, or fillers between: `uh`, `and`, `then`, `okay`) are
    /// one chain when at most `maxBridgeWords` filler words and `maxBridgeS` seconds lie
    /// between two groups: a chain of `minDigits` digits or more is redacted group by group,
    /// so no group of a card or phone number stays in clear. A short code answers a question
    /// asked by the other party (`otherParty`: "what is the security code?" on the agent's
    /// channel, "seven three eight" on the customer's): a run of `minContextDigits` digits or
    /// more that starts within `contextS` seconds after the other party said a word that
    /// announces a code is redacted too.
    public static func redact(_ words: [TranscriptWord], otherParty: [TranscriptWord] = []) -> (words: [TranscriptWord], runs: Int) {
        let keys = words.map { TranscriptText.words($0.text) }
        var value = keys.map { digitCount($0) }
        // Homophones count only when a neighbour is a sure digit.
        for i in words.indices where value[i] == nil {
            guard let h = keys[i].first, keys[i].count == 1, homophones.contains(h) else { continue }
            let before = i > 0 ? value[i - 1] : nil, after = i + 1 < words.count ? digitCount(keys[i + 1]) : nil
            if (before ?? 0) > 0 || (after ?? 0) > 0 { value[i] = 1 }
        }
        // The runs: number words with pauses under `maxGapS` between them.
        var runs: [(start: Int, end: Int, digits: Int)] = []
        var i = 0
        while i < words.count {
            guard let first = value[i], first > 0 || multiplier(keys[i]) else { i += 1; continue }
            var j = i + 1
            var digits = first
            while j < words.count, let v = value[j], words[j].startS - words[j - 1].endS <= maxGapS {
                digits += v
                j += 1
            }
            runs.append((i, j, digits))
            i = j
        }
        // Chains of runs said in groups.
        var chainDigits = [Int](repeating: 0, count: runs.count)
        var chainOf = [Int](repeating: 0, count: runs.count)
        var r = 0
        while r < runs.count {
            var e = r + 1
            while e < runs.count {
                let between = runs[e - 1].end..<runs[e].start
                let bridged = between.count <= maxBridgeWords
                    && between.allSatisfy { k in keys[k].allSatisfy { fillers.contains($0) } }
                    && words[runs[e].start].startS - words[runs[e - 1].end - 1].endS <= maxBridgeS
                guard bridged else { break }
                e += 1
            }
            let total = runs[r..<e].reduce(0) { $0 + $1.digits }
            for k in r..<e { chainDigits[k] = total; chainOf[k] = r }
            r = e
        }
        // When the other party announced a code.
        let announcedAt: [Double] = otherParty.compactMap { w in
            TranscriptText.words(w.text).contains { contextWordSet.contains($0) } ? w.endS : nil
        }
        // Which runs go: a long chain, an announced code, and every group of a chain one of
        // whose groups goes (the last digit of a code repeated after a pause).
        var goes = runs.indices.map { n -> Bool in
            let run = runs[n], startS = words[run.start].startS
            let announced = (max(0, run.start - contextWords)..<run.start).contains { k in keys[k].contains { contextWordSet.contains($0) } }
                || announcedAt.contains { $0 <= startS + 0.5 && startS - $0 <= contextS }
            return chainDigits[n] >= minDigits || (announced && run.digits >= minContextDigits)
        }
        for n in runs.indices where goes[n] {
            for k in runs.indices where chainOf[k] == chainOf[n] { goes[k] = true }
        }
        var out: [TranscriptWord] = []
        var redactedRuns = 0
        var next = 0
        for (n, run) in runs.enumerated() {
            out.append(contentsOf: words[next..<run.start])
            next = run.end
            if goes[n] {
                let span = words[run.start..<run.end]
                out.append(TranscriptWord(text: TranscriptWord.redactedText, startS: span.first!.startS,
                                          endS: span.map(\.endS).max() ?? span.first!.endS,
                                          confidence: span.map(\.confidence).min() ?? 0))
                redactedRuns += 1
            } else {
                out.append(contentsOf: words[run.start..<run.end])
            }
        }
        out.append(contentsOf: words[next...])
        return (out, redactedRuns)
    }

    /// Words that may lie between the groups of one number said in groups (a recogniser
    /// writes a hesitation as `uh`, `um`, sometimes `at`).
    static let fillers: Set<String> = [
        "uh", "um", "umm", "er", "erm", "ah", "eh", "hmm", "mm", "at", "and", "then", "okay", "ok", "yes", "yeah", "right",
        "so", "sorry", "next", "dash", "space", "comma", "is", "it", "its", "the", "rest", "last", "oh",
        "und", "dann", "ja", "et", "puis", "oui", "y", "luego", "si", "e", "poi", "en", "dan", "i", "potem", "tak", "и", "потом", "да",
    ]

    /// Digits a word stands for: written digits count one each; `twenty` two, `hundred`
    /// two more, `thousand` three, `double`/`triple` as the digit they repeat (counted by the
    /// next word: one here); nil when the word is no number.
    static func digitCount(_ parts: [String]) -> Int? {
        guard !parts.isEmpty else { return nil }
        var total = 0
        for p in parts {
            let digits = p.filter(\.isNumber).count
            if digits > 0 && digits == p.count {
                total += digits
            } else if let n = spokenDigits[p] {
                total += n
            } else if multipliers.contains(p) {
                total += 1
            } else {
                return nil
            }
        }
        return total
    }

    static func multiplier(_ parts: [String]) -> Bool { parts.count == 1 && multipliers.contains(parts[0]) }

    /// Spoken numbers and the digits each stands for.
    static let spokenDigits: [String: Int] = {
        var d: [String: Int] = [:]
        let units = [
            // en
            "zero", "nought", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            // de
            "null", "eins", "ein", "zwei", "zwo", "drei", "vier", "funf", "sechs", "sieben", "acht", "neun",
            // fr
            "un", "une", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf",
            // es, pt, it
            "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
            "um", "uma", "duas", "quatro", "sete", "oito", "nove",
            "zero", "due", "tre", "quattro", "sei", "sette", "otto",
            // nl
            "nul", "een", "twee", "vijf", "zes", "zeven", "negen",
            // pl
            "jeden", "jedna", "dwa", "trzy", "cztery", "piec", "szesc", "siedem", "osiem", "dziewiec",
            // ru (diacritics folded: й → и)
            "ноль", "нуль", "один", "одна", "два", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять",
        ]
        for u in units { d[u] = 1 }
        let tens = [
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
            "twenty", "thirty", "forty", "fourty", "fifty", "sixty", "seventy", "eighty", "ninety",
            "zehn", "elf", "zwolf", "zwanzig", "dreissig", "vierzig", "funfzig", "sechzig", "siebzig", "achtzig", "neunzig",
            "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingt", "trente", "quarante", "cinquante", "soixante",
            "diez", "once", "doce", "trece", "veinte", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa",
            "dieci", "undici", "dodici", "venti", "trenta", "quaranta", "cinquanta", "sessanta", "settanta", "ottanta", "novanta",
            "tien", "twintig", "dertig", "veertig", "vijftig",
            "dziesiec", "dwadziescia", "trzydziesci",
            "десять", "одиннадцать", "двенадцать", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто",
        ]
        for t in tens { d[t] = 2 }
        for h in ["hundred", "hundert", "cent", "cien", "ciento", "cento", "honderd", "sto", "сто"] { d[h] = 2 }
        for t in ["thousand", "tausend", "mille", "mil", "duizend", "tysiac", "тысяча", "тысячи", "тысяч"] { d[t] = 3 }
        return d
    }()

    /// Words that repeat the next digit (`double seven` = 77).
    static let multipliers: Set<String> = ["double", "triple", "doppel", "doppia"]

    /// Heard in place of digits, counted only beside digits.
    static let homophones: Set<String> = ["oh", "o", "for", "to", "too", "won", "ate", "tree", "free"]

    /// Words that announce a short code.
    static let contextWordSet: Set<String> = [
        "security", "code", "cvv", "cvc", "cv2", "cvv2", "pin", "expiry", "expiration", "expires", "verification", "passcode", "password",
        "sicherheitscode", "prufnummer", "prufziffer", "geheimzahl", "ablaufdatum",
        "securite", "cryptogramme", "expiration",
        "seguridad", "codigo", "caducidad", "vencimiento",
        "sicurezza", "codice", "scadenza",
        "beveiligingscode", "vervaldatum",
        "kod", "bezpieczenstwa",
        "код", "пин", "cvv", "срок",
    ]
}
