"""Two real (headless Chromium) browsers chat in one room through a real Hearth."""
import secrets

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture
def two_browsers():
    first, second = browser(), browser()
    try:
        yield first, second
    finally:
        first.quit()
        second.quit()


def register(driver, url, name):
    driver.get(url + "/register")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys("correct horse")
    driver.find_element(By.NAME, "confirmation").send_keys("correct horse")
    driver.find_element(By.CSS_SELECTOR, "form.stack button").click()
    WebDriverWait(driver, 10).until(EC.url_contains("/rooms"))


def create_room(driver, room):
    driver.find_element(By.NAME, "name").send_keys(room)
    driver.find_element(By.CSS_SELECTOR, "form.inline button").click()
    WebDriverWait(driver, 10).until(EC.url_contains("/rooms/" + room))


def open_room(driver, url, room):
    driver.get(url + "/rooms/" + room)
    WebDriverWait(driver, 10).until(EC.text_to_be_present_in_element((By.ID, "status"), "Live"))


def say(driver, text):
    box = driver.find_element(By.ID, "message")
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "#composer button").click()


def texts(driver, selector):
    """The text of every element matching `selector`, read in one go: the lists change live,
    so element handles fetched one by one can go stale."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent.trim())", selector
    )


def bodies(driver):
    return texts(driver, "#messages .kind-text .body")


def wait_for_body(driver, text):
    WebDriverWait(driver, 10).until(lambda d: text in bodies(d))


def test_two_people_chat_live_and_history_survives_reload(hearth_url, two_browsers):
    alice, bob = two_browsers
    room = "room" + secrets.token_hex(3)
    register(alice, hearth_url, "alice" + secrets.token_hex(3))
    register(bob, hearth_url, "bob" + secrets.token_hex(3))

    create_room(alice, room)
    open_room(alice, hearth_url, room)
    open_room(bob, hearth_url, room)

    say(alice, "hello from alice")
    wait_for_body(bob, "hello from alice")
    wait_for_body(alice, "hello from alice")

    attack = "<img src=x onerror=alert(1)>"
    say(bob, attack)
    wait_for_body(alice, attack)
    wait_for_body(bob, attack)
    for driver in (alice, bob):
        assert driver.find_elements(By.CSS_SELECTOR, "#messages img") == []
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text

    bob.refresh()
    WebDriverWait(bob, 10).until(lambda d: bodies(d)[-2:] == ["hello from alice", attack])
    assert bob.find_elements(By.CSS_SELECTOR, "#messages img") == []
    WebDriverWait(bob, 10).until(lambda d: len(texts(d, "#people li")) == 2)


def lines(driver):
    return texts(driver, "#messages .message")


def test_command_effects_show_live(hearth_url, two_browsers):
    owner, bob = two_browsers
    room = "cmd" + secrets.token_hex(3)
    owner_name = "olga" + secrets.token_hex(3)
    bob_name = "bob" + secrets.token_hex(3)
    register(owner, hearth_url, owner_name)
    register(bob, hearth_url, bob_name)
    create_room(owner, room)
    open_room(owner, hearth_url, room)
    open_room(bob, hearth_url, room)

    say(owner, "/topic Tea <b>time</b>")
    WebDriverWait(bob, 10).until(lambda d: d.find_element(By.ID, "topic").text == "Tea <b>time</b>")

    say(owner, f"/msg {bob_name} just between us")
    WebDriverWait(bob, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .kind-private .private-mark"))
    assert "just between us" in bob.find_element(By.CSS_SELECTOR, "#messages .kind-private").text

    say(bob, "/nick Bobby")
    WebDriverWait(owner, 10).until(lambda d: "Bobby" in texts(d, "#people li"))

    say(owner, "/clear")
    WebDriverWait(bob, 10).until(lambda d: lines(d) and lines(d)[0].endswith(f"history cleared by {owner_name}"))
    assert not any("just between us" in line for line in lines(bob))

    say(owner, "/kill Bobby enough for today")
    WebDriverWait(bob, 10).until(EC.text_to_be_present_in_element((By.ID, "status"), "You were removed"))
    assert bob.find_element(By.CSS_SELECTOR, "#composer button").get_attribute("disabled") is not None
