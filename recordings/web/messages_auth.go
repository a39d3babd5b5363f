package web

// The words of sign-in, users, the audit trail and share links, one table per
// language, merged into the main tables (i18n.go). A test checks both tables
// have the same keys.

func authMessagesEN() map[string]string {
	return map[string]string{
		"nav.users":  "Users",
		"nav.audit":  "Audit",
		"nav.logout": "Sign out",

		"login.title":      "Sign in",
		"login.name":       "User name",
		"login.password":   "Password",
		"login.submit":     "Sign in",
		"login.failed":     "Wrong user name or password.",
		"login.throttled":  "Too many failed attempts. Try again in %d s.",
		"login.hint":       "FreePBX administrators open Totalrec from Reports › Call Recordings in FreePBX.",
		"login.once.spent": "This sign-in link was already used or has expired: each link signs in once. Sign in with a user name and password, or get a new link.",
		"login.once.demo":  "The demo prints a new link each time it starts: stop it (Ctrl-C) and run totalrec demo again.",

		"users.title":         "Users",
		"users.add":           "Add a user",
		"users.name":          "Name",
		"users.role":          "Role",
		"users.scope":         "Extensions",
		"users.scope.hint":    "e.g. 100-199, 205; all for every extension",
		"users.password":      "Password",
		"users.password.new":  "New password (empty: unchanged)",
		"users.source":        "Source",
		"users.disabled":      "Disabled",
		"users.save":          "Save",
		"users.created":       "Created",
		"users.saved":         "Saved.",
		"users.tokens":        "API tokens are managed with totalrec token add|ls|rm.",
		"role.admin":          "Administrator",
		"role.supervisor":     "Supervisor",
		"role.user":           "User",
		"audit.title":         "Audit trail",
		"audit.who":           "Who",
		"audit.action":        "Action",
		"audit.since":         "From",
		"audit.until":         "To",
		"audit.filter":        "Filter",
		"audit.csv":           "Export CSV",
		"audit.at":            "Time",
		"audit.addr":          "Address",
		"audit.recording":     "Recording",
		"audit.detail":        "Detail",
		"audit.none":          "No entries match.",
		"audit.next":          "Older",
		"audit.appendonly":    "The audit trail is append-only: nothing in Totalrec changes or deletes an entry.",
		"share.title":         "Share links",
		"share.create":        "Create a share link",
		"share.ttl":           "Valid for",
		"share.ttl.1h":        "1 hour",
		"share.ttl.1d":        "1 day",
		"share.ttl.7d":        "7 days",
		"share.ttl.30d":       "30 days",
		"share.expires":       "expires %s",
		"share.revoke":        "Revoke",
		"share.copy":          "Copy",
		"share.copied":        "Copied",
		"share.none":          "No active share links.",
		"share.hint":          "Anyone with the link can play this recording until it expires or is revoked.",
		"share.heading":       "Shared recording",
		"share.expires.label": "Link expires",
	}
}

func authMessagesRU() map[string]string {
	return map[string]string{
		"nav.users":  "Пользователи",
		"nav.audit":  "Журнал",
		"nav.logout": "Выйти",

		"login.title":      "Вход",
		"login.name":       "Имя пользователя",
		"login.password":   "Пароль",
		"login.submit":     "Войти",
		"login.failed":     "Неверное имя пользователя или пароль.",
		"login.throttled":  "Слишком много неудачных попыток. Повторите через %d с.",
		"login.hint":       "Администраторы FreePBX открывают Totalrec из меню Reports › Call Recordings во FreePBX.",
		"login.once.spent": "Эта ссылка для входа уже использована или устарела: каждая ссылка впускает один раз. Войдите по имени и паролю или получите новую ссылку.",
		"login.once.demo":  "Демо печатает новую ссылку при каждом запуске: остановите его (Ctrl-C) и снова выполните totalrec demo.",

		"users.title":         "Пользователи",
		"users.add":           "Добавить пользователя",
		"users.name":          "Имя",
		"users.role":          "Роль",
		"users.scope":         "Внутренние номера",
		"users.scope.hint":    "например 100-199, 205; all — все номера",
		"users.password":      "Пароль",
		"users.password.new":  "Новый пароль (пусто — без изменений)",
		"users.source":        "Источник",
		"users.disabled":      "Отключён",
		"users.save":          "Сохранить",
		"users.created":       "Создан",
		"users.saved":         "Сохранено.",
		"users.tokens":        "API-токены управляются командой totalrec token add|ls|rm.",
		"role.admin":          "Администратор",
		"role.supervisor":     "Супервизор",
		"role.user":           "Пользователь",
		"audit.title":         "Журнал доступа",
		"audit.who":           "Кто",
		"audit.action":        "Действие",
		"audit.since":         "С",
		"audit.until":         "По",
		"audit.filter":        "Показать",
		"audit.csv":           "Экспорт CSV",
		"audit.at":            "Время",
		"audit.addr":          "Адрес",
		"audit.recording":     "Запись",
		"audit.detail":        "Подробности",
		"audit.none":          "Записей нет.",
		"audit.next":          "Раньше",
		"audit.appendonly":    "Журнал только пополняется: Totalrec не изменяет и не удаляет его записи.",
		"share.title":         "Ссылки для доступа",
		"share.create":        "Создать ссылку",
		"share.ttl":           "Срок",
		"share.ttl.1h":        "1 час",
		"share.ttl.1d":        "1 день",
		"share.ttl.7d":        "7 дней",
		"share.ttl.30d":       "30 дней",
		"share.expires":       "действует до %s",
		"share.revoke":        "Отозвать",
		"share.copy":          "Копировать",
		"share.copied":        "Скопировано",
		"share.none":          "Активных ссылок нет.",
		"share.hint":          "Любой, у кого есть ссылка, может прослушать запись, пока ссылка не истечёт или не будет отозвана.",
		"share.heading":       "Запись по ссылке",
		"share.expires.label": "Ссылка действует до",
	}
}

// merged is a new table holding the keys of every table, later ones winning.
func merged(tables ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, t := range tables {
		for k, v := range t {
			out[k] = v
		}
	}
	return out
}
