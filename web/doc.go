// Package web is Leerpad's second way in, beside the JSON API: server-rendered
// HTML pages (html/template, templates and assets embedded) over the same
// use cases (usecase.App). A handler reads the form, calls one use case and
// renders or redirects; access is decided in the use cases, never here, so a
// refusal of the use case is the page's 403.
//
// The programme office's pages (office.go) show the impact measurement as
// server-rendered SVG charts (impactchart.go: effect sizes as a forest plot,
// pre and post means, level 1 per module version, level 4 per quarter),
// each with a <title> and a <desc> and a table beside it that holds every
// number, marks told apart by shape and line style, not colour alone; and
// the same figures as CSV through the pages' own session.
//
// The participant's "Mijn gegevens" page (mydata.go) hands over all they
// hold as a JSON download in the API's format (Deps.ExportJSON), lists who
// read each of their portfolios, and takes their request to be erased,
// after which their session ends; the sharing page shows the history of
// what they shared.
//
// Every page works without JavaScript: plain links and forms, each POST
// answered with a redirect (POST-redirect-GET) or, when the input is wrong,
// with the form again and its errors tied to their fields. Text is Dutch by
// default and English on request (?lang=en, kept in a cookie), from the two
// message catalogues in messages/.
//
// The look is the NL Design System's (the @utrecht component CSS, built from
// npm by make web-assets into static/, see static/SOURCE.md), themed by
// design tokens only: static/themes/<theme>.css sets the brand tokens that
// static/tokens.css maps onto the components' tokens (Config.Theme).
//
// Sign-in is behind the Authenticator seam (signin.go): the demo sign-in
// lists the demo people; an OIDC authorization-code flow plugs in the same
// way. The session (session.go) is a signed and encrypted cookie holding the
// principal the API's bearer token would give, so that every use case is
// called as the API calls it. Decision records 0016 and 0017.
package web
