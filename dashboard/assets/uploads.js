// A file over an upload's size limit: dcc.Upload neither reads nor sends it (its max_size)
// and says nothing. Tell the page which file it was (the store "<upload id>-refused"), so
// that the server answers with the same message as for any file over the limit.
(function () {
    function uploadOf(element) {
        for (let node = element; node && node !== document; node = node.parentNode) {
            let layout = null;
            try {
                layout = node.id ? window.dash_component_api.getLayout(node.id) : null;
            } catch (error) {
                layout = null;  // an element that is not a Dash component
            }
            if (layout && layout.type === 'Upload') { return layout; }
        }
        return null;
    }
    function check(event, files) {
        const upload = files && files.length ? uploadOf(event.target) : null;
        const limit = upload ? upload.props.max_size : -1;
        if (!upload || limit === undefined || limit < 0) { return; }
        const file = Array.from(files).find(f => f.size > limit);
        if (file) {
            window.dash_clientside.set_props(upload.props.id + '-refused', {
                data: {filename: file.name, size: file.size, at: Date.now()}
            });
        }
    }
    document.addEventListener('change', function (event) {
        if (event.target.type === 'file') { check(event, event.target.files); }
    }, true);
    document.addEventListener('drop', function (event) {
        check(event, event.dataTransfer && event.dataTransfer.files);
    }, true);
})();
