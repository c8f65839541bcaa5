/*
 * Accessibility repairs of the markup the book's theme and Sphinx write, loaded on every page.
 *
 * axe-core (tests/test_book.py, test_page_accessibility) checks every page for what a screen
 * reader or a keyboard user would meet. Three things in the generated markup fail it, and none
 * can be set from the book's configuration:
 *   - the sidebar's expand/collapse toggles are <summary> elements holding only an icon, so a
 *     screen reader announces an unnamed button: each gets an aria-label naming its section;
 *   - the sidebar (site title, search button, table of contents) is not a landmark, so its
 *     title link lies outside every landmark: the sidebar becomes a labelled navigation region;
 *   - the bibliography's entries carry role="doc-biblioentry", which ARIA 1.3 deprecates and
 *     which is not a list item of its role="list" parent: they become role="listitem".
 * The repairs run as soon as the page is parsed; without this script the pages still work.
 */
(function () {
  "use strict";

  function nameToggles(root) {
    var toggles = root.querySelectorAll("summary");
    for (var i = 0; i < toggles.length; i++) {
      var summary = toggles[i];
      if (summary.textContent.trim() || summary.getAttribute("aria-label")) continue;
      var item = summary.closest("li");
      var link = item ? item.querySelector("a") : null;
      var topic = link ? link.textContent.trim() : "";
      summary.setAttribute("aria-label", topic ? "Sections of " + topic : "Show or hide the contents");
    }
  }

  function sidebarLandmark() {
    var sidebar = document.getElementById("pst-primary-sidebar");
    if (sidebar && !sidebar.getAttribute("role")) {
      sidebar.setAttribute("role", "navigation");
      sidebar.setAttribute("aria-label", "Book");
    }
  }

  function bibliographyItems(root) {
    var entries = root.querySelectorAll('[role="list"] > [role="doc-biblioentry"]');
    for (var i = 0; i < entries.length; i++) entries[i].setAttribute("role", "listitem");
  }

  function repair() {
    nameToggles(document);
    sidebarLandmark();
    bibliographyItems(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", repair);
  } else {
    repair();
  }
})();
