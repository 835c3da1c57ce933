// dcc.Tabs draws its tabs as plain divs: make them tabs for the keyboard and screen readers
// (focusable, Enter or Space selects, aria-selected tells which one is open).
(function () {
    let pending = false;
    function enhance() {
        pending = false;
        document.querySelectorAll('.tab-container').forEach(function (list) {
            list.setAttribute('role', 'tablist');
        });
        document.querySelectorAll('.tab-container > .tab').forEach(function (tab) {
            if (!tab.hasAttribute('tabindex')) {
                tab.setAttribute('tabindex', '0');
                tab.setAttribute('role', 'tab');
                tab.addEventListener('keydown', function (event) {
                    if (event.key === 'Enter' || event.key === ' ') {
                        event.preventDefault();
                        tab.click();
                    }
                });
            }
            const selected = tab.classList.contains('tab--selected') ? 'true' : 'false';
            if (tab.getAttribute('aria-selected') !== selected) {
                tab.setAttribute('aria-selected', selected);
            }
        });
    }
    new MutationObserver(function () {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(enhance);
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
})();
