package web

// The words of the data subject page (subject_page.go), in both languages.

func subjectMessagesEN() map[string]string {
	return map[string]string{
		"nav.subject":           "Data requests",
		"subject.title":         "A person's data, by phone number",
		"subject.hint":          "Find every recording and CDR row of a phone number, export them for the person who asked (GDPR article 15), or erase them (article 17). A number is matched on its last digits, with or without its country or trunk prefix. Recordings on legal hold are kept. Every step is audited without the number.",
		"subject.number":        "Phone number",
		"subject.find":          "Find",
		"subject.short":         "Give a full phone number: at least %d digits. Fewer would match extensions and other people's calls.",
		"subject.found":         "%d recordings of the number ending %s",
		"subject.retained":      "Kept by an erasure",
		"subject.kept":          "Recording %d is kept: %s",
		"subject.cdr":           "%d CDR rows carry the number.",
		"subject.nocdr":         "No CDR database is configured: CDR rows were not searched.",
		"subject.export":        "Export all as ZIP",
		"subject.erase.title":   "Erase",
		"subject.erase.hint":    "Deletes the audio of %d recordings and empties every number and name of their calls in the catalogue. It cannot be undone. A certificate of what was removed is signed with the manifest key.",
		"subject.erase.cdr":     "Also empty the number in the CDR table (calls on legal hold keep theirs)",
		"subject.confirm":       "Type the number again to confirm",
		"subject.confirm.wrong": "The number typed to confirm is not the number searched: nothing was erased.",
		"subject.erase.button":  "Erase for good",
		"subject.erased.title":  "Erased",
		"subject.erased":        "Erased %d recordings of the number ending %s.",
		"subject.erased.cdr":    "Emptied the number in %d CDR rows.",
		"subject.cert.signed":   "Signed certificate:",
		"subject.cert.pending":  "Certificate, signed by the next hourly seal job (the key is root's):",
	}
}

func subjectMessagesRU() map[string]string {
	return map[string]string{
		"nav.subject":           "Запросы о данных",
		"subject.title":         "Данные человека по номеру телефона",
		"subject.hint":          "Найдите все записи и строки CDR номера телефона, выгрузите их для того, кто спросил (статья 15 GDPR), или удалите их (статья 17). Номер сравнивается по последним цифрам, с кодом страны или без. Записи на юридическом удержании сохраняются. Каждый шаг попадает в журнал без номера.",
		"subject.number":        "Номер телефона",
		"subject.find":          "Найти",
		"subject.short":         "Укажите полный номер: не меньше %d цифр. Меньше совпадёт с внутренними номерами и чужими звонками.",
		"subject.found":         "Записей номера, оканчивающегося на %[2]s: %[1]d",
		"subject.retained":      "Сохранятся при удалении",
		"subject.kept":          "Запись %d сохраняется: %s",
		"subject.cdr":           "Строк CDR с этим номером: %d.",
		"subject.nocdr":         "База CDR не настроена: строки CDR не искались.",
		"subject.export":        "Выгрузить всё в ZIP",
		"subject.erase.title":   "Удалить",
		"subject.erase.hint":    "Удаляет звук %d записей и стирает в каталоге все номера и имена их звонков. Отменить нельзя. Свидетельство об удалении подписывается ключом манифестов.",
		"subject.erase.cdr":     "Стереть номер и в таблице CDR (звонки на удержании сохраняют свои строки)",
		"subject.confirm":       "Введите номер ещё раз для подтверждения",
		"subject.confirm.wrong": "Номер для подтверждения не совпадает с искомым: ничего не удалено.",
		"subject.erase.button":  "Удалить навсегда",
		"subject.erased.title":  "Удалено",
		"subject.erased":        "Удалено записей номера, оканчивающегося на %[2]s: %[1]d.",
		"subject.erased.cdr":    "Номер стёрт в строках CDR: %d.",
		"subject.cert.signed":   "Подписанное свидетельство:",
		"subject.cert.pending":  "Свидетельство; его подпишет ближайшее ежечасное задание seal (ключ у root):",
	}
}
