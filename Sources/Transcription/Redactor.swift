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
    public static let contextWords = 6
    public static let maxGapS = 1.5

    /// The words with every qualifying run replaced, and how many runs were.
    public static func redact(_ words: [TranscriptWord]) -> (words: [TranscriptWord], runs: Int) {
        let keys = words.map { TranscriptText.words($0.text) }
        var value = keys.map { digitCount($0) }
        // Homophones count only when a neighbour is a sure digit.
        for i in words.indices where value[i] == nil {
            guard let h = keys[i].first, keys[i].count == 1, homophones.contains(h) else { continue }
            let before = i > 0 ? value[i - 1] : nil, after = i + 1 < words.count ? digitCount(keys[i + 1]) : nil
            if (before ?? 0) > 0 || (after ?? 0) > 0 { value[i] = 1 }
        }
        var out: [TranscriptWord] = []
        var runs = 0
        var i = 0
        while i < words.count {
            guard let first = value[i], first > 0 || multiplier(keys[i]) else {
                out.append(words[i])
                i += 1
                continue
            }
            var j = i + 1
            var digits = first
            while j < words.count, let v = value[j], words[j].startS - words[j - 1].endS <= maxGapS {
                digits += v
                j += 1
            }
            let announced = (max(0, i - contextWords)..<i).contains { k in keys[k].contains { contextWordSet.contains($0) } }
            if digits >= minDigits || (announced && digits >= minContextDigits) {
                let span = words[i..<j]
                out.append(TranscriptWord(text: TranscriptWord.redactedText, startS: span.first!.startS,
                                          endS: span.map(\.endS).max() ?? span.first!.endS,
                                          confidence: span.map(\.confidence).min() ?? 0))
                runs += 1
            } else {
                out.append(contentsOf: words[i..<j])
            }
            i = j
        }
        return (out, runs)
    }

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
