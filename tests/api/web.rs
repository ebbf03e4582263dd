//! The report on the web behind Sign in with Slack: the redirect to Slack, the callback's
//! checks (each forged or stale sign-in refused with a 4xx and no session), what each role
//! sees and may not see, the CSV, the cookies and headers, and signing out.

use chrono::Duration;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use sko_reinforce::clock::Clock;
use url::Url;

use super::fake_oidc::{CLIENT_ID, Signed, Token};
use super::fake_slack::FakeSlack;
use super::helpers::*;

const ADMIN: &str = "U0ADMIN01";
const PRIYA: &str = "U0MGREAST"; // East's manager: Dana's
const TAYLOR: &str = "U0WEST001"; // West

async fn web_app(base_url: &str) -> TestApp {
    let slack = FakeSlack::start().await;
    let example = std::fs::read_to_string(example_config_path()).unwrap();
    let config = format!(
        "{example}\n[web]\nbase_url = \"{base_url}\"\nclient_id = \"{CLIENT_ID}\"\nslack_url = \"{}\"\n",
        slack.base_url
    );
    let roster =
        std::fs::read_to_string(example_config_path().with_file_name("people.example.csv"))
            .unwrap();
    TestApp::builder()
        .config(&config)
        .files(&[("people.example.csv", &roster)])
        .slack(slack)
        .spawn()
        .await
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A login started at `/report`: Slack's authorize URL and the browser's login cookie.
struct Login {
    authorize: Url,
    cookie: String,
}

impl Login {
    fn param(&self, name: &str) -> String {
        self.authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    }
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

async fn start(app: &TestApp, client: &reqwest::Client) -> Login {
    let response = client.get(app.url("/report")).send().await.unwrap();
    assert_eq!(response.status(), 303, "no session: off to Slack");
    let cookie = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("sko_login="))
        .expect("a login cookie");
    Login {
        authorize: Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap(),
        cookie: cookie_pair(&cookie),
    }
}

async fn callback(
    app: &TestApp,
    client: &reqwest::Client,
    login: &Login,
    code: &str,
) -> reqwest::Response {
    client
        .get(app.url("/auth/slack/callback"))
        .query(&[("code", code), ("state", &login.param("state"))])
        .header(COOKIE, &login.cookie)
        .send()
        .await
        .unwrap()
}

/// Signs `user` in through the fake Slack; the session's `Set-Cookie` header, whole.
async fn session_set_by_signing_in(app: &TestApp, user: &str) -> String {
    let client = browser();
    let login = start(app, &client).await;
    let code = app.slack.issue_code(&Token::for_user(
        user,
        &login.param("nonce"),
        app.clock.now(),
    ));
    let response = callback(app, &client, &login, &code).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    assert_eq!(response.headers()[LOCATION], "/report");
    set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("sko_session=") && !c.starts_with("sko_session=;"))
        .expect("a session cookie")
}

/// Signs `user` in through the fake Slack; the session cookie (`sko_session=…`).
async fn sign_in(app: &TestApp, user: &str) -> String {
    cookie_pair(&session_set_by_signing_in(app, user).await)
}

async fn get(app: &TestApp, path: &str, session: &str) -> reqwest::Response {
    browser()
        .get(app.url(path))
        .header(COOKIE, session)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn without_a_session_the_report_sends_you_to_slack_with_state_and_nonce() {
    let app = web_app("http://sko.test").await;
    let client = browser();
    let response = client.get(app.url("/report")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let login = start(&app, &client).await;
    let url = &login.authorize;
    assert_eq!(
        url.as_str().split('?').next().unwrap(),
        format!("{}/openid/connect/authorize", app.slack.base_url)
    );
    assert_eq!(login.param("scope"), "openid email profile");
    assert_eq!(login.param("response_type"), "code");
    assert_eq!(login.param("client_id"), CLIENT_ID);
    assert_eq!(
        login.param("redirect_uri"),
        "http://sko.test/auth/slack/callback"
    );
    assert!(login.param("state").len() >= 20 && login.param("nonce").len() >= 20);
    let again = start(&app, &client).await;
    assert_ne!(
        again.param("state"),
        login.param("state"),
        "fresh each time"
    );
    assert_ne!(again.param("nonce"), login.param("nonce"));
    // The headers every page carries.
    let h = response.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert!(h.get("strict-transport-security").is_none(), "plain http");
}

#[tokio::test]
async fn a_session_cookie_is_httponly_lax_and_secure_over_https() {
    let app = web_app("https://sko.example.com").await;
    let client = browser();
    let login = start(&app, &client).await;
    let code = app.slack.issue_code(&Token::for_user(
        ADMIN,
        &login.param("nonce"),
        app.clock.now(),
    ));
    let response = callback(&app, &client, &login, &code).await;
    assert_eq!(response.status(), 303);
    let session = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("sko_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert!(
        response.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    let http = web_app("http://sko.test").await;
    let session = session_set_by_signing_in(&http, ADMIN).await;
    assert!(
        session.contains("HttpOnly") && !session.contains("Secure"),
        "not Secure over plain http: {session}"
    );
}

#[tokio::test]
async fn every_forged_or_stale_sign_in_is_refused_with_no_session() {
    let app = web_app("http://sko.test").await;
    let client = browser();
    let now = app.clock.now();
    type Forge = fn(&mut Token);
    let unverified = "could not be verified";
    let cases: [(&str, Forge, u16, &str); 7] = [
        (
            "wrong nonce",
            |t| t.nonce = "not-the-logins".into(),
            400,
            unverified,
        ),
        (
            "wrong audience",
            |t| t.audience = "another-app".into(),
            400,
            unverified,
        ),
        (
            "wrong issuer",
            |t| t.issuer = "https://evil.example".into(),
            400,
            unverified,
        ),
        (
            "expired",
            |t| t.expires -= Duration::minutes(10),
            400,
            unverified,
        ),
        (
            "another key",
            |t| t.signed = Signed::AnotherKey,
            400,
            unverified,
        ),
        ("alg none", |t| t.signed = Signed::Unsigned, 400, unverified),
        (
            "another workspace",
            |t| t.team = "T0OTHER".into(),
            403,
            "another Slack workspace",
        ),
    ];
    for (case, forge, status, why) in cases {
        let login = start(&app, &client).await;
        let mut token = Token::for_user(ADMIN, &login.param("nonce"), now);
        forge(&mut token);
        let response = callback(&app, &client, &login, &app.slack.issue_code(&token)).await;
        assert_eq!(response.status(), status, "{case}");
        assert!(
            !set_cookies(&response)
                .iter()
                .any(|c| c.starts_with("sko_session=")),
            "{case}: no session"
        );
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Not signed in") && page.contains(why),
            "{case}: {page}"
        );
    }

    // A state we never issued, and a login finished in another browser.
    let login = start(&app, &client).await;
    let code = app
        .slack
        .issue_code(&Token::for_user(ADMIN, &login.param("nonce"), now));
    let forged = client
        .get(app.url("/auth/slack/callback"))
        .query(&[("code", code.as_str()), ("state", "made-up")])
        .header(COOKIE, &login.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400, "wrong state");
    let elsewhere = client
        .get(app.url("/auth/slack/callback"))
        .query(&[("code", code.as_str()), ("state", &login.param("state"))])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 400, "no login cookie");

    // A code used once is not good twice, whatever login it comes with.
    let login = start(&app, &client).await;
    let code = app
        .slack
        .issue_code(&Token::for_user(ADMIN, &login.param("nonce"), now));
    assert_eq!(callback(&app, &client, &login, &code).await.status(), 303);
    let replayed = callback(&app, &client, &login, &code).await;
    assert_eq!(replayed.status(), 400, "the state is spent");
    let fresh = start(&app, &client).await;
    let replayed = callback(&app, &client, &fresh, &code).await;
    assert_eq!(replayed.status(), 400, "the code is spent");

    // Someone Slack signs in who is not on the roster gets no session either.
    let login = start(&app, &client).await;
    let code = app
        .slack
        .issue_code(&Token::for_user(STRANGER, &login.param("nonce"), now));
    let response = callback(&app, &client, &login, &code).await;
    assert_eq!(response.status(), 403);
    assert!(
        set_cookies(&response)
            .iter()
            .all(|c| !c.starts_with("sko_session="))
    );
}

#[tokio::test]
async fn each_role_sees_what_it_may_and_nothing_else() {
    let app = web_app("http://sko.test").await;
    // The admin: the whole program, both teams, charts as SVG.
    let admin = sign_in(&app, ADMIN).await;
    let page = get(&app, "/report", &admin).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("— the program"), "{html}");
    assert!(html.contains("Dana Whitfield") && html.contains("Taylor Kim"));
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(!html.contains("<script"), "no JavaScript");
    let csv = get(&app, "/report.csv", &admin).await.text().await.unwrap();
    assert!(csv.starts_with("rep,name,team,practice_last_14_days"));
    assert!(csv.contains("U0EAST001") && csv.contains(TAYLOR));

    // Priya, East's manager: her team; a West rep's page is refused.
    let priya = sign_in(&app, PRIYA).await;
    let html = get(&app, "/report", &priya).await.text().await.unwrap();
    assert!(html.contains("— your team"));
    assert!(
        html.contains("Dana Whitfield") && !html.contains("Taylor Kim"),
        "{html}"
    );
    assert_eq!(
        get(&app, "/report/people/U0EAST001", &priya).await.status(),
        200
    );
    assert_eq!(
        get(&app, &format!("/report/people/{TAYLOR}"), &priya)
            .await
            .status(),
        403
    );
    let csv = get(&app, "/report.csv", &priya).await.text().await.unwrap();
    assert!(csv.contains("U0EAST001") && !csv.contains(TAYLOR), "{csv}");

    // Dana, a rep: her own page, nobody else's.
    let dana = sign_in(&app, REP).await;
    let report = get(&app, "/report", &dana).await;
    assert_eq!(report.status(), 303);
    assert_eq!(report.headers()[LOCATION], "/report/people/U0EAST001");
    app.reply(
        REP,
        "/practice",
        "discovery live asked all four <b>pain</b> questions",
    )
    .await;
    let mine = get(&app, "/report/people/U0EAST001", &dana)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        mine.contains("asked all four &#60;b&#62;pain&#60;/b&#62; questions")
            && !mine.contains("<b>pain"),
        "escaped: {mine}"
    );
    assert_eq!(
        get(&app, "/report/people/U0EAST002", &dana).await.status(),
        403
    );
    let csv = get(&app, "/report.csv", &dana).await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "her row only: {csv}");
}

#[tokio::test]
async fn signing_out_ends_the_session_and_only_a_post_does() {
    let app = web_app("http://sko.test").await;
    let admin = sign_in(&app, ADMIN).await;
    assert_eq!(get(&app, "/report", &admin).await.status(), 200);
    assert_eq!(
        get(&app, "/auth/logout", &admin).await.status(),
        405,
        "no GET"
    );
    assert_eq!(get(&app, "/report", &admin).await.status(), 200);
    let out = browser()
        .post(app.url("/auth/logout"))
        .header(COOKIE, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        get(&app, "/report", &admin).await.status(),
        303,
        "back to Slack"
    );
    // Idle for longer than a session lives: signed out too.
    let again = sign_in(&app, ADMIN).await;
    app.clock.set(app.clock.now() + Duration::hours(13));
    assert_eq!(get(&app, "/report", &again).await.status(), 303);
}

#[tokio::test]
async fn the_app_home_links_to_the_report() {
    let app = web_app("https://sko.example.com").await;
    app.event(&app_home_opened("Ev0HOME1", REP), None).await;
    let publish = &app.slack.wait_for("views.publish", 1).await[0];
    let blocks = publish.body["view"]["blocks"].to_string();
    assert!(
        blocks.contains("<https://sko.example.com/report|Open the report on the web>"),
        "{blocks}"
    );
}

#[tokio::test]
async fn the_program_page_is_kept_five_minutes_and_says_as_of_when() {
    let app = web_app("http://sko.test").await;
    let admin = sign_in(&app, ADMIN).await;
    let rows = |csv: String| {
        csv.lines()
            .find(|l| l.starts_with("U0EAST001,"))
            .unwrap()
            .to_string()
    };
    let before = rows(get(&app, "/report.csv", &admin).await.text().await.unwrap());
    assert!(before.contains(",0,0,"), "no practice yet: {before}");
    let page = get(&app, "/report", &admin).await.text().await.unwrap();
    assert!(page.contains("Figures as of Wed 13 Jan 10:00"), "{page}");
    app.reply(REP, "/practice", "discovery live asked").await;
    assert_eq!(
        rows(get(&app, "/report.csv", &admin).await.text().await.unwrap()),
        before,
        "the program's figures are kept for five minutes"
    );
    // A manager's page is read each time.
    let priya = sign_in(&app, PRIYA).await;
    let team = rows(get(&app, "/report.csv", &priya).await.text().await.unwrap());
    assert!(team.contains(",1,1,"), "{team}");
    app.clock.set(app.clock.now() + Duration::minutes(6));
    assert_eq!(
        rows(get(&app, "/report.csv", &admin).await.text().await.unwrap()),
        team,
        "read again after five minutes"
    );
}
