package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// usersView is the users page's data.
type usersView struct {
	Users        []userRow
	Roles        []option
	Error, Saved string
	Name, Scope  string // the add form, shown again after an error
}

type userRow struct {
	ID                        int64
	Name, Role, Scope, Source string
	Created                   string
	Disabled, Self, Local     bool
	Roles                     []option
}

var roles = []recordings.Role{recordings.RoleUser, recordings.RoleSupervisor, recordings.RoleAdmin}

func roleOptions(l *lang, current recordings.Role) []option {
	out := make([]option, len(roles))
	for i, r := range roles {
		out[i] = option{Value: string(r), Label: l.T("role." + string(r)), Selected: r == current}
	}
	return out
}

// usersPage is GET /users (administrators): every user, a form to add one, and
// one to change each.
func (s *Server) usersPage(c echo.Context) error {
	v := usersView{}
	if c.QueryParam("saved") != "" {
		v.Saved = langOf(c).T("users.saved")
	}
	return s.renderUsers(c, http.StatusOK, v)
}

func (s *Server) renderUsers(c echo.Context, status int, v usersView) error {
	l, p := langOf(c), principalOf(c)
	users, err := s.acc.Users(c.Request().Context())
	if err != nil {
		return err
	}
	for _, u := range users {
		v.Users = append(v.Users, userRow{ID: u.ID, Name: u.Name, Role: string(u.Role), Scope: u.Scope.String(), Source: u.Source,
			Created: l.Short(u.CreatedAt.In(s.loc), s.now().In(s.loc)), Disabled: u.Disabled, Self: u.ID == p.UserID,
			Local: u.Source == recordings.SourceLocal, Roles: roleOptions(l, u.Role)})
	}
	v.Roles = roleOptions(l, recordings.RoleUser)
	return c.Render(status, "users", s.newPage(c, l.T("users.title"), v))
}

// addUser is POST /users: a new local user.
func (s *Server) addUser(c echo.Context) error {
	name, scopeText := strings.TrimSpace(c.FormValue("name")), c.FormValue("scope")
	fail := func(err error) error {
		return s.renderUsers(c, http.StatusBadRequest, usersView{Error: err.Error(), Name: name, Scope: scopeText})
	}
	role, err := recordings.ParseRole(c.FormValue("role"))
	if err != nil {
		return fail(err)
	}
	if err := auth.CheckUserName(name); err != nil {
		return fail(err)
	}
	scope, err := userScope(role, scopeText)
	if err != nil {
		return fail(err)
	}
	hash, err := auth.HashPassword(c.FormValue("password"), auth.DefaultParams)
	if err != nil {
		return fail(err)
	}
	u, err := s.acc.AddUser(c.Request().Context(), recordings.User{Name: name, Role: role, Scope: scope, PasswordHash: hash})
	if errors.Is(err, recordings.ErrExists) {
		return fail(fmt.Errorf("a user called %q exists", name))
	}
	if err != nil {
		return err
	}
	if err := s.audit(c, actUserAdd, 0, fmt.Sprintf("user=%s role=%s scope=%s", u.Name, u.Role, u.Scope)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path("/users?saved=1"))
}

// userScope reads a scope for role: administrators always see everything.
func userScope(role recordings.Role, text string) (recordings.Scope, error) {
	if role == recordings.RoleAdmin {
		return recordings.AllScope, nil
	}
	return recordings.ParseScope(text)
}

// updateUser is POST /users/{uid}: role, scope, disabled and, when given, a new
// password. Any change ends the user's sessions. Administrators cannot demote
// or disable themselves, so that one always remains.
func (s *Server) updateUser(c echo.Context) error {
	ctx, p := c.Request().Context(), principalOf(c)
	id, err := strconv.ParseInt(c.Param("uid"), 10, 64)
	if err != nil {
		return badRequest("uid", "not a user ID")
	}
	u, err := s.acc.UserByID(ctx, id)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		return s.renderUsers(c, http.StatusBadRequest, usersView{Error: u.Name + ": " + err.Error()})
	}
	role, err := recordings.ParseRole(c.FormValue("role"))
	if err != nil {
		return fail(err)
	}
	scope, err := userScope(role, c.FormValue("scope"))
	if err != nil {
		return fail(err)
	}
	disabled := c.FormValue("disabled") == "1"
	if u.ID == p.UserID && (role != recordings.RoleAdmin || disabled) {
		return fail(errors.New("you cannot demote or disable yourself"))
	}
	if pw := c.FormValue("password"); pw != "" {
		if u.Source != recordings.SourceLocal {
			return fail(errors.New("only local users have passwords here"))
		}
		hash, err := auth.HashPassword(pw, auth.DefaultParams)
		if err != nil {
			return fail(err)
		}
		if err := s.acc.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := s.audit(c, actUserPasswd, 0, "user="+u.Name); err != nil {
			return err
		}
	}
	if role != u.Role || scope.String() != u.Scope.String() || disabled != u.Disabled {
		detail := fmt.Sprintf("user=%s role=%s scope=%s disabled=%t", u.Name, role, scope, disabled)
		u.Role, u.Scope, u.Disabled = role, scope, disabled
		if err := s.acc.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.audit(c, actUserUpdate, 0, detail); err != nil {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, s.path("/users?saved=1"))
}
