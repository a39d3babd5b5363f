package web

// The words of the legal hold pages (holds_page.go), in both languages.

func holdMessagesEN() map[string]string {
	return map[string]string{
		"nav.holds":            "Holds",
		"holds.title":          "Legal holds",
		"holds.hint":           "A recording on legal hold is never deleted by any retention rule. A hold with an end date lapses on that date.",
		"holds.section":        "Legal hold",
		"holds.held":           "This recording is on legal hold: retention never deletes it.",
		"holds.not":            "Not on hold: retention may delete this recording when its policy says so.",
		"holds.recording":      "Recording",
		"holds.reason":         "Reason",
		"holds.by":             "Put by",
		"holds.since":          "Since",
		"holds.until":          "Until",
		"holds.until.optional": "Until (optional)",
		"holds.until.removed":  "released by hand",
		"holds.put":            "Put on hold",
		"holds.release":        "Release",
		"holds.release.all":    "Release their holds",
		"holds.none":           "No recording is on hold.",
		"holds.selection":      "Legal hold for these recordings",
		"holds.selection.hint": "Applies to every match of this search (%s), at most 500.",
		"holds.done.added":     "%s recordings put on hold.",
		"holds.done.released":  "%s recordings released.",
		"holds.done.gone":      "%s were not held: retention has deleted them.",
	}
}

func holdMessagesRU() map[string]string {
	return map[string]string{
		"nav.holds":            "Удержания",
		"holds.title":          "Юридические удержания",
		"holds.hint":           "Запись на юридическом удержании не удаляется ни одним правилом хранения. Удержание с датой окончания снимается в эту дату.",
		"holds.section":        "Юридическое удержание",
		"holds.held":           "Запись на юридическом удержании: политика хранения её не удалит.",
		"holds.not":            "Не удерживается: политика хранения может удалить эту запись.",
		"holds.recording":      "Запись",
		"holds.reason":         "Основание",
		"holds.by":             "Кто наложил",
		"holds.since":          "С",
		"holds.until":          "До",
		"holds.until.optional": "До (необязательно)",
		"holds.until.removed":  "до снятия вручную",
		"holds.put":            "Наложить удержание",
		"holds.release":        "Снять",
		"holds.release.all":    "Снять с них удержания",
		"holds.none":           "Ни одна запись не удерживается.",
		"holds.selection":      "Юридическое удержание для этих записей",
		"holds.selection.hint": "Относится ко всем записям этого поиска (%s), не более 500.",
		"holds.done.added":     "Записей поставлено на удержание: %s.",
		"holds.done.released":  "Записей снято с удержания: %s.",
		"holds.done.gone":      "Не удержано: %s — удалены политикой хранения.",
	}
}
