package web

// The words of the evidence page and the player's evidence section
// (evidence_page.go), in both languages.

func evidenceMessagesEN() map[string]string {
	return map[string]string{
		"nav.evidence":           "Evidence",
		"evidence.title":         "Tamper evidence",
		"evidence.key":           "Manifest signing key",
		"evidence.hint":          "Every finished recording is sealed with its SHA-256. Each UTC day's seals and deletions are listed in a manifest, chained to the day before and signed with this PBX's Ed25519 key. Anyone with the public key below can check a recording without trusting this server.",
		"evidence.nokey":         "No key yet: the hourly seal job (totalrec seal, run by root) makes one, or run totalrec seal --init.",
		"evidence.fingerprint":   "Fingerprint",
		"evidence.check":         "Check everything on the PBX with",
		"evidence.manifests":     "Signed manifests",
		"evidence.day":           "Day (UTC)",
		"evidence.count.sealed":  "Sealed",
		"evidence.count.deleted": "Deleted",
		"evidence.more":          "and %d older manifests.",
		"evidence.none":          "No manifest yet: the first is written after the first UTC day with a sealed recording ends.",
		"evidence.section":       "Tamper evidence",
		"evidence.sealed":        "Sealed %s.",
		"evidence.pending":       "Its day's signed manifest is written after that UTC day ends.",
		"evidence.listed":        "Listed in the signed manifest of %s.",
		"evidence.bundle":        "Download the evidence bundle",
		"evidence.unsealed":      "Not sealed yet: a recording is sealed a few minutes after it is finished.",
		"pause.interval":         "Recording paused %s–%s for sensitive data (%s): silence there.",
		"live.title":             "Your live calls",
		"live.none":              "No call of yours is up.",
		"live.pause":             "Pause recording",
		"live.resume":            "Resume recording",
		"live.paused":            "recording paused",
		"live.hint":              "Pause the recording while the caller reads out a card number; resume it afterwards. The phone's feature code does the same.",
	}
}

func evidenceMessagesRU() map[string]string {
	return map[string]string{
		"nav.evidence":           "Доказательства",
		"evidence.title":         "Защита от подделки",
		"evidence.key":           "Ключ подписи манифестов",
		"evidence.hint":          "Каждая законченная запись запечатывается своим SHA-256. Печати и удаления за каждые сутки (UTC) вносятся в манифест, который ссылается на манифест предыдущих суток и подписан ключом Ed25519 этой АТС. Любой, у кого есть открытый ключ ниже, может проверить запись, не доверяя этому серверу.",
		"evidence.nokey":         "Ключа ещё нет: его создаст ежечасное задание (totalrec seal от root), или выполните totalrec seal --init.",
		"evidence.fingerprint":   "Отпечаток",
		"evidence.check":         "Проверить всё на АТС:",
		"evidence.manifests":     "Подписанные манифесты",
		"evidence.day":           "Сутки (UTC)",
		"evidence.count.sealed":  "Запечатано",
		"evidence.count.deleted": "Удалено",
		"evidence.more":          "и ещё %d более старых манифестов.",
		"evidence.none":          "Манифестов ещё нет: первый пишется, когда закончатся первые сутки (UTC) с запечатанной записью.",
		"evidence.section":       "Защита от подделки",
		"evidence.sealed":        "Запечатана %s.",
		"evidence.pending":       "Подписанный манифест этих суток пишется после их окончания (UTC).",
		"evidence.listed":        "Внесена в подписанный манифест за %s.",
		"evidence.bundle":        "Скачать пакет доказательств",
		"evidence.unsealed":      "Ещё не запечатана: запись запечатывается через несколько минут после окончания.",
		"pause.interval":         "Запись приостановлена %s–%s ради конфиденциальных данных (%s): там тишина.",
		"live.title":             "Ваши текущие звонки",
		"live.none":              "Сейчас у вас нет звонков.",
		"live.pause":             "Приостановить запись",
		"live.resume":            "Возобновить запись",
		"live.paused":            "запись приостановлена",
		"live.hint":              "Приостановите запись, пока звонящий диктует номер карты, и возобновите её после. Код на телефоне делает то же.",
	}
}
