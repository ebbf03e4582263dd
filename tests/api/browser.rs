//! One real browser: Debian's `chromium`, headless, driven over WebDriver by
//! `chromium-driver`, signs in to the report through the fake Slack and finds the charts.
//! `.ci/run` installs both; without them the test says it skipped.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use sko_reinforce::clock::Clock;

use super::fake_oidc::CLIENT_ID;
use super::fake_slack::FakeSlack;
use super::helpers::*;

const DRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn an_admin_signs_in_with_slack_in_a_real_browser_and_sees_the_charts() {
    if !std::path::Path::new(DRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        eprintln!(
            "SKIPPED the browser test: {DRIVER} or {CHROMIUM} is missing (apt-get install chromium chromium-driver; .ci/run does)"
        );
        return;
    }
    let slack = FakeSlack::start().await;
    let listen = free_address();
    let example = std::fs::read_to_string(example_config_path()).unwrap();
    let config = format!(
        "{example}\n[web]\nbase_url = \"http://{listen}\"\nclient_id = \"{CLIENT_ID}\"\nslack_url = \"{}\"\n",
        slack.base_url
    );
    let roster =
        std::fs::read_to_string(example_config_path().with_file_name("people.example.csv"))
            .unwrap();
    let app = TestApp::builder()
        .config(&config)
        .files(&[("people.example.csv", &roster)])
        .env(&[("SKO__SERVER__LISTEN", &listen)])
        .slack(slack)
        .spawn()
        .await;
    // Slack's authorize page signs the admin in, as of the app's clock.
    app.slack.sign_in_as("U0ADMIN01", app.clock.now());

    let port = free_address().rsplit(':').next().unwrap().to_string();
    let _driver = Driver(
        Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": CHROMIUM, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=390,844"] }),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut browser = None;
    // The driver takes a moment to listen; real time, as it is a real process.
    for _ in 0..100 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&webdriver)
            .await
        {
            Ok(client) => {
                browser = Some(client);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let browser = browser.expect("a WebDriver session");

    browser
        .goto(&format!("http://{listen}/report"))
        .await
        .unwrap();
    let heading = browser.find(Locator::Css("h1")).await.unwrap();
    assert!(
        heading.text().await.unwrap().contains("the program"),
        "signed in, on the report: {}",
        browser.current_url().await.unwrap()
    );
    let charts = browser
        .find_all(Locator::Css("figure.chart svg"))
        .await
        .unwrap();
    assert!(!charts.is_empty(), "the charts are drawn inline");
    let captions = browser
        .find_all(Locator::Css("figure.chart figcaption"))
        .await
        .unwrap();
    let mut titles = Vec::new();
    for c in captions {
        titles.push(c.text().await.unwrap());
    }
    assert!(titles.iter().any(|t| t == "Practice by week"), "{titles:?}");
    // Signing out is a button, a POST; afterwards the report asks Slack again.
    browser
        .find(Locator::Css("form[action='/auth/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The click navigates; wait for the page it lands on, not the one it leaves.
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//h1[.='Signed out']"))
        .await
        .expect("the signed-out page");
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("/auth/signed-out")
    );
    browser.close().await.unwrap();
}
