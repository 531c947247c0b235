"""DualNetClassifier: skorch glue around DualNetModule and DualNetLoss."""

import math
import numbers
import warnings

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import Bunch, TransformerTags, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from skorch.callbacks import (
    Callback,
    EpochScoring,
    EpochTimer,
    PassthroughScoring,
    PrintLog,
)
from skorch.dataset import ValidSplit
from skorch.utils import to_numpy, to_tensor
from torch.utils.data import DataLoader, Dataset

from ._criterion import DualNetLoss
from ._decision import balanced_decision_weights, decide
from ._front_end import make_front_end
from ._gmm import gmm_parameters, sample_energy
from ._gru import flush_denormal
from ._modules import DualNetModule, star_mean
from ._novelty import NOVELTY_SCORES, combined_score
from ._parameters import Interval, StrOptions, check_estimator_params, check_params
from ._progress import TrainingProgressBar, progress
from ._trees import export_trees, predict_trees_proba
from ._validation import NormalizedSequences, SegmentedCurves, check_light_curves

__all__ = ["DualNetClassifier"]


# ---------------------------------------------------------------- data plumbing
class StarDataset(Dataset):
    """One item per star: its normalised segments, mask, auxiliary inputs, label.

    Parameters
    ----------
    X : NormalizedSequences
        Output of :class:`~skdualnet.Normalizer`.
    y : ndarray of shape (n_stars,), default=None
        Encoded labels; ``-1`` is used when absent.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        X = self.X
        item = {"seq": X.sequences[i], "mask": X.mask[i], "aux": X.aux[i]}
        return item, (-1 if self.y is None else self.y[i])


def collate_stars(items):
    """Join the segments of a batch of stars into one padded tensor batch.

    Steps that are padding in every segment are dropped. Adds ``star``, the
    batch-local star index of every segment, so the module can average segment
    outputs per star and the loss can give every segment its star's label.
    """
    xs, ys = zip(*items)
    counts = torch.tensor([len(x["seq"]) for x in xs])
    # Padding is always at the end: drop the steps that are padding in every
    # segment of the batch (short curves then cost what they hold).
    steps = max(int(x["mask"].any(0).nonzero()[0][-1]) + 1 for x in xs)
    batch = {
        "seq": torch.from_numpy(np.concatenate([x["seq"][:, :steps] for x in xs])),
        "mask": torch.from_numpy(np.concatenate([x["mask"][:, :steps] for x in xs])),
        "aux": torch.from_numpy(np.concatenate([x["aux"] for x in xs])),
    }
    batch["star"] = torch.repeat_interleave(torch.arange(len(xs)), counts)
    return batch, torch.as_tensor(np.asarray(ys, dtype=np.int64))


class StarLoader(DataLoader):
    """``DataLoader`` whose default ``collate_fn`` is :func:`collate_stars`.

    Without shuffling it draws its base seed from a private generator, so
    prediction leaves torch's global random state untouched.
    """

    def __init__(self, dataset, **kwargs):
        kwargs.setdefault("collate_fn", collate_stars)
        if not kwargs.get("shuffle"):
            kwargs.setdefault("generator", torch.Generator())
        super().__init__(dataset, **kwargs)


# ------------------------------------------------------------------- callbacks
class SequentialTraining(Callback):
    """Train the autoencoder alone for the first half of the epochs, then the
    estimation network with the autoencoder frozen (the paper's "sequential"
    training). With ``training="joint"`` it only sets the joint stage."""

    def on_train_begin(self, net, **kwargs):
        self._set_stage(net)

    def on_epoch_begin(self, net, **kwargs):
        self._set_stage(net)

    def on_train_end(self, net, **kwargs):
        net.module_.autoencoder.requires_grad_(True)

    @staticmethod
    def _set_stage(net):
        if net.training == "joint":
            net.criterion_.stage = "joint"
            return
        second = len(net.history) > max(1, net.max_epochs // 2)
        net.criterion_.stage = "estimation" if second else "autoencoder"
        net.module_.autoencoder.requires_grad_(not second)


class CosineLR(Callback):
    """Cosine annealing of the learning rate to ``eta_min`` over ``T_max`` epochs.

    At the start of the ``k``-th epoch of a training call (``fit``,
    ``partial_fit``; ``k`` from 0) the learning rate of each parameter group
    is set to ``eta_min + (lr0 - eta_min) * (1 + cos(pi * (k mod T_max) /
    T_max)) / 2``, ``lr0`` being the group's first rate (``initial_lr``, as
    torch's schedulers store it: the net's ``lr`` unless ``optimizer__lr`` or
    parameter groups say otherwise) -- the values of
    ``torch.optim.lr_scheduler.CosineAnnealingLR``. Each ``fit`` and
    ``partial_fit`` call starts a new cycle.

    ``k`` is counted in the net's history from the length it had when the call
    began, before a :class:`skorch.callbacks.LoadInitState` callback restores
    a checkpoint (default callbacks run first), so a fit resumed from a
    :class:`skorch.callbacks.Checkpoint` (whose files hold the history and
    the optimizer, but no scheduler) continues the schedule exactly.

    Parameters
    ----------
    T_max : int, default=None
        Epochs of one cycle; ``None`` uses the net's ``max_epochs`` (so
        ``set_params(max_epochs=...)`` and GridSearchCV over it keep the
        schedule consistent).
    eta_min : float, default=0.0
        Learning rate at the end of the cycle.
    event_name : str, default="event_lr"
        History key under which the rate of the first parameter group is
        recorded each epoch (``None`` records nothing).
    """

    def __init__(self, T_max=None, eta_min=0.0, event_name="event_lr"):
        self.T_max = T_max
        self.eta_min = eta_min
        self.event_name = event_name

    def __setstate__(self, state):
        if "policy" in state:
            # skdualnet 0.1 saved skorch's LRScheduler (CosineAnnealingLR),
            # which this callback replaces: keep only its parameters.
            state = {
                "T_max": state.get("T_max"),
                "eta_min": state.get("eta_min", 0.0),
                "event_name": state.get("event_name", "event_lr"),
            }
        self.__dict__.update(state)

    def on_train_begin(self, net, **kwargs):
        self.start_ = len(net.history)

    def on_epoch_begin(self, net, **kwargs):
        k = len(net.history) - 1 - getattr(self, "start_", 0)
        period = max(1, int(self.T_max if self.T_max is not None else net.max_epochs))
        factor = (1.0 + math.cos(math.pi * (k % period) / period)) / 2.0
        for group in net.optimizer_.param_groups:
            lr0 = group.setdefault("initial_lr", group["lr"])
            group["lr"] = self.eta_min + (lr0 - self.eta_min) * factor
        if self.event_name is not None:
            net.history.record(self.event_name, net.optimizer_.param_groups[0]["lr"])


def _epoch_seed(seed, epoch):
    """Seed of torch's generator for one epoch of a fit seeded with ``seed``."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1, np.uint64)[0])


def _encoded_accuracy(net, X, y):
    """Accuracy on encoded labels (skorch's valid_acc with our label encoding)."""
    return float(np.mean(net.predict_proba(X).argmax(1) == np.asarray(y)))


_RANDOM_STATE_DOC = """random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, batch shuffling and the
        validation split (through ``torch.random.fork_rng``; global seeds are
        left untouched). The same value gives the same predictions on CPU."""


class DualNetClassifier(NeuralNetClassifier):
    """Variable-star classifier with novelty detection (Tsang & Schultz 2019).

    A GRU autoencoder embeds each phase-folded, normalised sequence; an
    estimation network on the embedding, two reconstruction-error features
    and the auxiliary inputs outputs class probabilities that are also
    Gaussian-mixture memberships; the mixture's sample energy is the novelty
    score. Built on :class:`skorch.NeuralNetClassifier`: every skorch
    parameter (callbacks, ``device``, ``max_epochs``, ``module__*``,
    ``criterion__*``, ``optimizer__*``) works as documented there.

    One sample is one star. ``X`` is the
    :class:`~skdualnet.NormalizedSequences` of a front end
    (:func:`~skdualnet.make_default_model` builds front end and classifier
    together); other light curves (a :class:`~skdualnet.LightCurves` or a
    list of ``(n_obs, 3)`` arrays) first go through
    ``make_front_end(features=False, min_obs=2)``. Training runs on
    segments, each segment carrying its star's label; every output is per
    star: probabilities are the mean of the star's segment probabilities, the
    novelty score is minus the mean of its segment energies, and the
    embedding is the mean of its segment embeddings.
    The validation split and batches are drawn over stars, so the segments of
    a star are never on both sides.

    Parameters
    ----------
    module : torch module class or instance, default=DualNetModule
        Architecture; set its parameters with ``module__hidden_size``,
        ``module__embedding_size`` (8, 16, 32, 64 in the paper),
        ``module__num_layers``, ``module__dropout``,
        ``module__estimation_dropout``. ``n_classes`` and ``n_aux`` are
        inferred from the data.
    criterion : torch module class, default=DualNetLoss
        Loss; set ``criterion__lambda_energy`` (1e-3) and
        ``criterion__reg_covar`` (1e-4, also used for the fitted mixture).
    training : {"joint", "sequential"}, default="joint"
        Joint training of all terms, or the autoencoder alone for the first
        half of ``max_epochs`` and then the estimation network with the
        autoencoder frozen.
    class_weight : {"balanced", "sqrt_balanced"}, dict or None, \
default="sqrt_balanced"
        Weights of the classes in the cross-entropy, as in scikit-learn's
        classifiers: ``"balanced"`` weights each class by ``n_stars /
        (n_classes * n_stars_of_class)`` of the training stars,
        ``"sqrt_balanced"`` (the default) by the square root of that
        (halfway, on a log scale, between ``None`` and ``"balanced"``), a dict
        maps labels to weights (missing labels get 1), ``None`` weights all
        classes alike (the paper). The weights count stars, while the
        cross-entropy is a mean over segments, so a class whose stars have
        longer curves still weighs a little more. Survey samples are
        heavily imbalanced (64 % eclipsing binaries in the ASAS ACVS
        folder's README); unweighted, rare classes such as RRCD are rarely
        predicted, while ``"balanced"`` gives up accuracy on the common
        classes for the rare ones: on all shared ASAS stars (one split by
        star) ``"balanced"`` gave accuracy 0.920 and balanced accuracy 0.870,
        ``"sqrt_balanced"`` 0.959 and 0.797 (see the user guide). On a
        training set with equal class counts all three give weights of 1.
    novelty_percentile : float, default=95.0
        Sets ``offset_``: a star whose novelty score (:meth:`score_samples`)
        is below that of this percentage of the training stars is novel (80
        and 95 in the paper, on the energy). See :meth:`set_novelty_threshold`
        for a target false-positive rate.
    novelty : {"energy", "max_proba", "combined"}, default="energy"
        The novelty score :meth:`score_samples` gives. ``"energy"`` is the
        paper's: minus the mean segment energy of the fitted mixture.
        ``"max_proba"`` (an option beyond the paper) is the star's highest
        class probability (:meth:`predict_proba`). ``"combined"`` ranks both
        against the training stars and averages the two ranks
        (:func:`skdualnet._novelty.combined_score`): a star is typical if it
        lies inside a class's latent cloud *and* the head is sure of its
        class. The training stars' probabilities, the reference of the ranks
        and of the threshold, are out-of-fold with ``head="boosting"`` (the
        head refitted on five folds of the training stars, five more fits of
        the trees) and in-sample with ``head="network"`` (optimistic, like
        the training energies: pass held-out stars to
        :meth:`set_novelty_threshold`). Set before ``fit``; a fitted model
        keeps the score it was fitted with (``novelty_``).
    head : {"network", "boosting"}, default="network"
        What gives the class probabilities. ``"network"`` is the paper's
        estimation network. ``"boosting"`` (an option beyond the paper)
        fits, after training, scikit-learn's
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
        (300 iterations, learning rate 0.1, no early stopping, samples
        weighted by ``class_weight``) on the training stars' latent vectors
        :meth:`transform` (which hold the auxiliary inputs) next to their
        ``X.head_features`` (for example from
        :class:`~skdualnet.ClassicalFeatures`), which the network never sees;
        :meth:`predict_proba` and :meth:`predict` then come from its trees
        (stored as arrays in ``head_trees_``, so model files stay free of
        pickle). Training, the mixture, the novelty score and threshold are
        the same for both heads (see ``novelty`` for a score from the
        head's probabilities). See the user guide's "Boosting head".
    decision : {"argmax", "balanced"}, default="argmax"
        How :meth:`predict` picks a class from :meth:`predict_proba`.
        ``"argmax"`` takes the most probable class. ``"balanced"`` (an option
        beyond the paper) multiplies the probabilities by one weight per
        class, ``decision_weights_``, chosen at the end of ``fit`` to give
        the highest balanced accuracy on the training stars' probabilities
        (``skdualnet._decision.balanced_decision_weights``): out-of-fold
        with ``head="boosting"`` (as for ``novelty``), in-sample with
        ``head="network"`` (optimistic, so the weights move less). It trades
        accuracy on the common classes for recall on the rare ones: with the
        boosting head on all shared ASAS ACVS stars see the user guide,
        "Decision for balanced accuracy". :meth:`predict_proba` is unchanged.
        Like every parameter, it takes effect at the next ``fit``.
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-2
        Peak learning rate, annealed to zero over ``max_epochs`` by a cosine
        schedule (``callbacks__lr_scheduler``). The paper used a constant 2e-4
        with batches of 2000 sequences for 2000 epochs on a GPU; on the
        simulator, 2e-4 with 60 CPU-sized epochs barely moves (test accuracy
        0.14 after 8 epochs) while 1e-2 with the cosine schedule reaches 0.82
        (estimation network) in 60 epochs.
    max_epochs : int, default=60
        Epochs (the cosine schedule spans them). On the simulator's 8-class
        set (960 training stars, ``benchmarks/speed.py --budget``, 2-core
        machine, about 15 s per epoch), the default reached 86-88 % test
        accuracy within a 10-minute budget (about 40 of its 60 epochs); a
        120-epoch schedule reached 90 % after 16 minutes and 93.8 % after
        30 (116 epochs), above a random forest on classical features
        (90.4 %). Raise it when accuracy matters more than time.
    batch_size : int, default=32
        Stars per batch; every star brings all its segments (about 60-100
        sequences per batch for ASAS-SN-like curves). Larger batches run
        faster per sequence on a CPU but take fewer steps per epoch: on the
        simulator's 8-class set (``benchmarks/speed.py --budget``, 2-core
        machine), 128 ran its 60 epochs in 610 s (10 s each instead of 15)
        and reached 83 % test accuracy, where 32 reached 86-88 % in the same
        600 s (``benchmarks/results/accuracy_batch128.json``).
    train_split : callable or None, default=None
        skorch's validation split, over stars; ``None`` trains on all of
        them. A ``ValidSplit`` without its own ``random_state`` is seeded
        from ``random_state``; ``ValidSplit(0.2, stratified=True)`` (the
        default of earlier versions) holds a fifth of the stars out and records
        ``valid_loss`` and ``valid_acc`` in ``history_``, for early stopping
        (:class:`skorch.callbacks.EarlyStopping`). On three splits by star
        of the ASAS ACVS set (at most 400 stars per class, 30 epochs),
        training on all stars with the fixed auxiliary standardisation
        (``DualNetModule``) raised held-out accuracy from
        0.895, 0.918 and 0.935 to 0.908, 0.931 and 0.942
        (``benchmarks/results/levers_acvs/session_2026-12-02d.md``).
    augment_noise : float, default=0.0
        Data augmentation within the errors: in training, each batch's
        normalised magnitudes get independent Gaussian noise of
        ``augment_noise`` times their normalised errors, drawn anew every
        epoch (the auxiliary inputs and the shape statistics are not
        changed). The reconstruction target is the noisy curve. 0 turns it
        off. On the ASAS ACVS set (at most 400 stars per class, one split by
        star, 30 epochs) 1.0 gave 0.908 held-out accuracy against 0.905
        without (``benchmarks/results/table2_asas_acvs_max400_aug1.md``):
        not a lever there, so it is off by default.
    augment_drop : float in [0, 1), default=0.0
        Data augmentation by random observation subsets: in training, each
        observation of each batch's sequences is dropped with this
        probability, drawn anew every epoch, and the kept ones close up
        (their lags add up to the phase gaps left, or time gaps for curves
        that are not folded). A sequence that would keep fewer than two
        observations is left whole, so the fraction dropped is a little
        below ``augment_drop`` for short sequences. The reconstruction target
        is the thinned sequence, and the estimation network trains on its
        reconstruction errors; the auxiliary inputs are not changed.
        Prediction, the mixture and the novelty threshold use whole
        sequences. 0 turns it off.
    verbose : int, default=0
        1 prints skorch's table of losses per epoch (on standard output) and
        shows progress bars on standard error when it is a terminal: the
        batches of each epoch, and the stars scored by :meth:`predict_all`
        and :meth:`score_samples`. 2 shows the bars always.
    {random_state}
    **kwargs
        Any other :class:`skorch.NeuralNetClassifier` argument.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Known class labels, in ``predict_proba`` column order.
    module_ : DualNetModule
        The trained network.
    weights_ : ndarray of shape (n_classes,)
        Mixture weights, computed once on all training segments after training.
    means_ : ndarray of shape (n_classes, n_latent)
        Mixture means.
    covariances_ : ndarray of shape (n_classes, n_latent, n_latent)
        Mixture covariances (``reg_covar`` added to the diagonal).
    novelty_ : str
        The ``novelty`` score this model was fitted with.
    training_scores_ : ndarray of shape (n_training_stars,)
        :meth:`score_samples` of the training stars (with out-of-fold
        probabilities for the boosting head's ``"max_proba"`` and
        ``"combined"``).
    training_energy_scores_ : ndarray of shape (n_training_stars,)
        Minus the mean segment energy of each training star, whatever
        ``novelty`` is.
    training_max_proba_ : ndarray of shape (n_training_stars,)
        With ``novelty="max_proba"`` or ``"combined"`` only: the training
        stars' highest class probability (out-of-fold for the boosting head).
    offset_ : float
        Novelty threshold on :meth:`score_samples`: below it a star is novel.
    decision_weights_ : ndarray of shape (n_classes,)
        The class weights of :meth:`predict`'s decision (all ones with
        ``decision="argmax"``).
    head_trees_ : dict
        With ``head="boosting"`` only: the fitted trees as arrays
        (``skdualnet._trees.export_trees``) and ``classes``, the encoded
        classes they were fitted on.
    n_head_features_ : int
        With ``head="boosting"`` only: the number of ``X.head_features``
        columns the head reads after the latent vector (0 if none).
    n_aux_ : int
        Auxiliary inputs per segment (3 plus the number of extra features).
    history_ : skorch History
        Training loss per epoch; with a ``train_split``, also ``valid_loss``
        and ``valid_acc``.

    See Also
    --------
    sklearn.mixture.GaussianMixture : Same parameter names for the mixture.
    sklearn.ensemble.IsolationForest : Same sign convention for scores.

    Examples
    --------
    >>> from skdualnet import DualNetClassifier
    >>> clf = DualNetClassifier(module__embedding_size=8, max_epochs=2)
    >>> clf.get_params()["module__embedding_size"]
    8
    """

    #: Constraints of the parameters this class adds to skorch's (see
    #: :mod:`._parameters`); labels named by a ``class_weight`` dict are
    #: checked against ``y`` in ``fit``.
    _parameter_constraints = {
        "training": [StrOptions({"joint", "sequential"})],
        "class_weight": [StrOptions({"balanced", "sqrt_balanced"}), dict, None],
        "novelty_percentile": [Interval(numbers.Real, 0, 100, closed="neither")],
        "augment_noise": [Interval(numbers.Real, 0, None, closed="left")],
        "augment_drop": [Interval(numbers.Real, 0, 1, closed="left")],
        "head": [StrOptions({"network", "boosting"})],
        "novelty": [StrOptions(set(NOVELTY_SCORES))],
        "decision": [StrOptions({"argmax", "balanced"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        module=DualNetModule,
        *,
        criterion=DualNetLoss,
        training="joint",
        class_weight="sqrt_balanced",
        novelty_percentile=95.0,
        augment_noise=0.0,
        augment_drop=0.0,
        head="network",
        novelty="energy",
        decision="argmax",
        random_state=None,
        optimizer=torch.optim.Adam,
        lr=1e-2,
        max_epochs=60,
        batch_size=32,
        train_split=None,
        iterator_train=StarLoader,
        iterator_valid=StarLoader,
        dataset=StarDataset,
        verbose=0,
        **kwargs,
    ):
        kwargs.setdefault("iterator_train__shuffle", True)
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            dataset=dataset,
            verbose=verbose,
            **kwargs,
        )
        self.training = training
        self.class_weight = class_weight
        self.novelty_percentile = novelty_percentile
        self.augment_noise = augment_noise
        self.augment_drop = augment_drop
        self.head = head
        self.novelty = novelty
        self.decision = decision
        self.random_state = random_state

    # ------------------------------------------------------------- skorch hooks
    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            (
                "valid_acc",
                EpochScoring(
                    _encoded_accuracy, name="valid_acc", lower_is_better=False
                ),
            ),
            ("stages", SequentialTraining()),
            ("lr_scheduler", CosineLR()),
            ("progress_bar", TrainingProgressBar()),
            ("print_log", PrintLog()),
        ]

    def initialize_module(self):
        """Instantiate the module with ``n_classes`` and ``n_aux`` from the data."""
        kwargs = self.get_params_for("module")
        if isinstance(self.module, type):
            if "n_classes" not in kwargs:
                try:
                    kwargs["n_classes"] = len(self.classes_)
                except AttributeError:
                    raise AttributeError(
                        "DualNetClassifier cannot build its module before fit: "
                        "pass classes=[...] (and module__n_aux when the curves "
                        "carry extra features) to initialize it without data"
                    ) from None
            kwargs.setdefault("n_aux", getattr(self, "n_aux_", 3))
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    def initialize_criterion(self):
        """Instantiate the loss, with the class weights of the training labels."""
        kwargs = self.get_params_for("criterion")
        weights = getattr(self, "class_weight_", None)
        if weights is not None and isinstance(self.criterion, type):
            kwargs.setdefault("class_weight", weights.tolist())
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self

    def check_data(self, X, y):
        """Nothing to do: ``fit`` validates ``X`` and encodes ``y`` itself."""

    def get_dataset(self, X, y=None):
        """Wrap light curves (run through the default front end if needed)."""
        if isinstance(X, Dataset):
            return X
        return self.dataset(self._prepare(X), y, **self.get_params_for("dataset"))

    def get_split_datasets(self, X, y=None, **fit_params):
        """skorch's split, seeded from ``random_state`` when not seeded itself."""
        dataset = self.get_dataset(X, y)
        split = self.train_split
        if not split:
            return dataset, None
        if isinstance(split, ValidSplit) and split.random_state is None:
            split = ValidSplit(
                split.cv, stratified=split.stratified, random_state=self._split_seed_
            )
        try:
            return split(dataset, y, **fit_params)
        except ValueError as exc:
            raise ValueError(
                f"The validation split failed ({exc}). Each class needs enough "
                "stars for a stratified split; pass train_split=None to train "
                "without validation."
            ) from None

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Return the DualNet loss; stop with a clear error if it is not finite."""
        y_true = to_tensor(y_true, device=self.device)
        loss = self.criterion_(y_pred, y_true, to_tensor(X, device=self.device))
        if not torch.isfinite(loss):
            epoch = len(self.history)
            raise FloatingPointError(
                f"Non-finite training loss at epoch {epoch} "
                f"({ {k: float(v) for k, v in self.criterion_.last_terms.items()} }); "
                "lower lr, check the input for extreme values, or raise "
                "criterion__reg_covar."
            )
        return loss

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Start a history row, then seed torch for this epoch.

        The seed is drawn from the fit's seed and the epoch number, so the
        batch order and dropout of epoch ``e`` do not depend on what ran
        before it in this process: a fit resumed from a checkpoint draws the
        same numbers as an uninterrupted one.
        """
        super().on_epoch_begin(
            net, dataset_train=dataset_train, dataset_valid=dataset_valid, **kwargs
        )
        torch.manual_seed(_epoch_seed(self._torch_seed_, len(self.history) - 1))

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Record the history length before this training call (and before a
        :class:`skorch.callbacks.LoadInitState` callback restores a
        checkpoint: the net is notified before its callbacks), and, in a
        fresh fit, set the module's auxiliary standardisation from the
        segments of all stars given to ``fit`` (with a ``train_split``, the
        validation stars' too: their inputs, not their labels);
        ``warm_start`` and :meth:`partial_fit` keep it."""
        self._epochs_at_start_ = len(self.history)
        # Until on_train_end refits it, the network gives the probabilities
        # (skorch's scoring callbacks ask for them during training).
        self.__dict__.pop("head_trees_", None)
        self.__dict__.pop("decision_weights_", None)
        module = self.module_
        if hasattr(module, "set_aux_statistics") and not getattr(
            module, "aux_statistics_set", False
        ):
            aux = np.concatenate(X.aux).astype(np.float64)
            module.set_aux_statistics(torch.from_numpy(aux))

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop, up to ``max_epochs`` more epochs than at the start.

        A fresh ``fit`` runs ``max_epochs`` epochs, as do ``warm_start=True``
        and :meth:`partial_fit`, as in skorch. When a
        :class:`skorch.callbacks.LoadInitState` callback has restored a
        checkpoint at the start of the call, training resumes where it was
        interrupted: it stops once the history holds ``max_epochs`` more
        epochs than before the call.
        """
        if epochs is None:
            done = len(self.history) - self._epochs_at_start_
            epochs = max(0, self.max_epochs - done)
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        """Fit, on the training stars, the mixture, the boosting head when
        ``head="boosting"``, the decision weights (``decision="balanced"``),
        and the novelty score's reference and threshold."""
        self.novelty_ = self.novelty
        boosting, by_proba = self.head == "boosting", self.novelty != "energy"
        need_proba = by_proba or self.decision == "balanced"
        # y arrives encoded (partial_fit encodes it for skorch's loop)
        encoded = np.asarray(y, dtype=np.int64)
        latent, proba = self._fit_mixture(
            X, latent=boosting, proba=need_proba and not boosting
        )
        if boosting:
            H = X.head_features
            self.n_head_features_ = 0 if H is None else H.shape[1]
            if H is not None:
                latent = np.hstack([latent, H])
            self._fit_head(latent, encoded)
            if need_proba:
                proba = self._out_of_fold_head_proba(latent, encoded)
        self.decision_weights_ = (
            balanced_decision_weights(proba, encoded)
            if self.decision == "balanced"
            else np.ones(len(self.classes_))
        )
        self._set_training_scores(proba.max(axis=1) if by_proba else None)
        self.set_novelty_threshold()

    def train_step(self, batch, **fit_params):
        """skorch's step, with denormal floats flushed (GRU backward is ~5x
        slower on CPU otherwise), on a batch thinned to a random subset of its
        observations when ``augment_drop`` is set and augmented within its
        errors when ``augment_noise`` is."""
        if self.augment_drop:
            batch = self._augment_by_dropping(batch)
        if self.augment_noise:
            batch = self._augment_within_errors(batch)
        with flush_denormal():
            return super().train_step(batch, **fit_params)

    def _augment_within_errors(self, batch):
        """A copy of a training batch whose normalised magnitudes carry
        Gaussian noise of ``augment_noise`` times their normalised errors
        (padding untouched). Drawn from torch's generator, which is seeded
        per epoch: a fit is repeatable and a resumed one draws the same."""
        X, y = batch
        seq = X["seq"].clone()
        noise = torch.randn(seq.shape[:-1], dtype=seq.dtype)
        seq[..., 1] += self.augment_noise * seq[..., 2] * noise * X["mask"]
        return dict(X, seq=seq), y

    def _augment_by_dropping(self, batch):
        """A copy of a training batch in which each observed step is dropped
        with probability ``augment_drop`` and the kept steps close up at the
        front of their sequence: the lag of a kept step becomes its phase gap
        to the previous kept step (the first keeps lag 0), padding stays at
        the end with zero lags and magnitudes and unit errors, and steps that
        are padding in every sequence are cut. A sequence that would keep
        fewer than two steps is left whole. Drawn from torch's generator,
        seeded per epoch, like :meth:`_augment_within_errors`."""
        X, y = batch
        seq, mask = X["seq"], X["mask"]
        keep = mask & (torch.rand(mask.shape) >= self.augment_drop)
        keep = torch.where((keep.sum(1, keepdim=True) < 2), mask, keep)
        # kept steps first, in their order (a stable sort on "dropped")
        order = torch.sort((~keep).to(torch.int8), dim=1, stable=True).indices
        n_kept = keep.sum(1)
        new_mask = torch.arange(mask.shape[1]) < n_kept[:, None]
        phase = torch.gather(seq[..., 0].cumsum(1), 1, order)
        out = torch.gather(seq, 1, order[..., None].expand_as(seq)).clone()
        lag = torch.diff(phase, dim=1, prepend=phase[:, :1])
        out[..., 0] = torch.where(new_mask, lag, 0.0)
        out[..., 1] = torch.where(new_mask, out[..., 1], 0.0)
        out[..., 2] = torch.where(new_mask, out[..., 2], 1.0)
        steps = int(n_kept.max())
        return dict(X, seq=out[:, :steps], mask=new_mask[:, :steps]), y

    def evaluation_step(self, batch, training=False):
        """skorch's evaluation step, with denormal floats flushed."""
        with flush_denormal():
            return super().evaluation_step(batch, training=training)

    # ---------------------------------------------------------------- sklearn
    def fit(self, X, y, **fit_params):
        """Train on stars ``X`` with one label per star ``y``.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
            One light curve per star.
        y : array-like of shape (n_stars,)
            Class labels.
        **fit_params : dict
            Passed to skorch's ``fit``.

        Returns
        -------
        self
        """
        self._check_params()
        X = self._prepare(X)
        self._encode_y(X, y)  # classes_ and class weights of this fit
        self._set_data_dims(X)
        if self.warm_start and self.initialized_:
            self.initialize_criterion()  # skorch keeps it: this fit's weights
        with torch.random.fork_rng(devices=self._rng_devices()):
            torch.manual_seed(self._torch_seed_)  # the module's initial weights
            return super().fit(X, y, **fit_params)  # initialize + partial_fit

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Continue training for ``max_epochs`` more epochs (skorch semantics).

        On an unfitted estimator it behaves like :meth:`fit`. Afterwards, ``y``
        must use the classes seen at the first call, the auxiliary inputs'
        standardisation of the first fit is kept, and the mixture and the
        novelty threshold are recomputed on ``X``.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
        y : array-like of shape (n_stars,)
        classes : array-like, default=None
            Ignored; pass ``classes=`` to the constructor instead.
        **fit_params : dict
            Passed to skorch's ``partial_fit``.

        Returns
        -------
        self
        """
        if not self.initialized_:
            return self.fit(X, y, **fit_params)
        X = self._prepare(X)
        y = self._encode_y(X, y, refit=False)
        with torch.random.fork_rng(devices=self._rng_devices()):
            torch.manual_seed(self._torch_seed_)
            return super().partial_fit(X, y, **fit_params)

    def predict(self, X):
        """Known class of each star: the most probable one (``decision="balanced"``:
        the largest probability times its class's ``decision_weights_``).

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)

        Returns
        -------
        ndarray of shape (n_stars,)
            Labels from ``classes_``. Use :meth:`predict_novelty` to flag
            stars of none of the known classes.
        """
        proba = self.predict_proba(X)
        return self.classes_[self._decide(proba)]

    def predict_proba(self, X):
        """Class probabilities of each star (mean over its segments).

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)

        Returns
        -------
        ndarray of shape (n_stars, n_classes)
            Rows sum to 1, columns in ``classes_`` order.
        """
        return self._infer(X, scores=False)["proba"]

    def score_samples(self, X):
        """Novelty score of each star (the ``novelty`` parameter's).

        With the default ``novelty="energy"``, minus the star's mean segment
        energy (a log-likelihood under the fitted mixture, up to the averaging
        over segments, as ``GaussianMixture.score_samples``); with
        ``"max_proba"`` its highest class probability; with ``"combined"`` the
        mean of the two scores' ranks among the training stars, in [0, 1].
        Higher means more typical of the training classes; lower means more
        abnormal (the convention of :class:`sklearn.ensemble.IsolationForest`).
        :meth:`predict_all` gives it together with the probabilities in one
        pass over the network.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)

        Returns
        -------
        ndarray of shape (n_stars,)
        """
        return self._infer(X, proba=False)["scores"]

    def predict_all(self, X, *, latent=False):
        """Labels, probabilities, novelty scores and flags in one pass.

        The same numbers as :meth:`predict`, :meth:`predict_proba`,
        :meth:`score_samples` and :meth:`predict_novelty` (and optionally
        :meth:`transform`), from one run of the network instead of one per
        method: use it to score large catalogues.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
        latent : bool, default=False
            Also return the per-star latent vectors (:meth:`transform`).

        Returns
        -------
        result : :class:`~sklearn.utils.Bunch`
            ``labels`` (n_stars,), ``proba`` (n_stars, n_classes),
            ``scores`` (n_stars,), ``novel`` (n_stars,) bool, ``energy``
            (n_stars,), minus the mean segment energy whatever ``novelty`` is
            (the same as ``scores`` for the energy), and ``latent``
            (n_stars, n_latent) when asked for.
        """
        check_is_fitted(self, "offset_")
        out = self._infer(X, proba=True, latent=latent)
        out["labels"] = self.classes_[self._decide(out["proba"])]
        out["novel"] = out["scores"] < self.offset_
        return out

    def _infer(self, X, proba=True, latent=False, scores=True):
        """The one inference path: a pass over ``X`` giving the per-star
        probabilities, novelty scores and/or latent vectors asked for.

        ``predict_proba``, ``score_samples``, ``transform`` and
        ``predict_all`` all come here (only the scores need the fitted
        mixture, so ``predict_proba`` also works during training, for
        skorch's scoring callbacks).
        """
        if scores:
            check_is_fitted(self, "covariances_")
            weights = torch.as_tensor(self.weights_)
            means = torch.as_tensor(self.means_)
            # One memory layout whatever the source (a fresh fit, a pickle, a
            # model file): solve_triangular rounds differently for other strides.
            chol = torch.as_tensor(self._cov_cholesky_).contiguous()
        # The score may need the probabilities too (models saved before
        # ``novelty`` existed have no novelty_: the energy)
        novelty = getattr(self, "novelty_", "energy") if scores else "energy"
        want_proba = proba or novelty != "energy"
        trees = getattr(self, "head_trees_", None) if want_proba else None
        if trees is not None:
            X = self._prepare(X)
            H = self._head_features(X)
        want_latent = latent or trees is not None
        parts = {"scores": [], "proba": [], "latent": []}
        # As skorch's predict_proba: identity unless the user sets one.
        nonlin = self._get_predict_nonlinearity()
        total = len(X) if hasattr(X, "__len__") else None
        # A bar for scoring, not for the probabilities skorch's callbacks ask for
        verbose = self.verbose if scores or latent else 0
        bar = progress(total=total, desc="scoring", verbose=verbose)
        for p, _, z, _, star in self.forward_iter(X):
            n_stars = int(star[-1]) + 1
            if scores:
                energy = sample_energy(z.double(), weights, means, cholesky=chol)
                parts["scores"].append(-star_mean(energy, star, n_stars).numpy())
            if want_proba and trees is None:
                parts["proba"].append(to_numpy(nonlin(p)).astype(np.float64))
            if want_latent:
                parts["latent"].append(star_mean(z, star, n_stars).double().numpy())
            bar.update(n_stars)
        bar.close()
        out = Bunch()
        if want_latent:
            Z = np.concatenate(parts["latent"])
            if latent:
                out["latent"] = Z
        if want_proba and trees is not None:
            Z = Z if H is None else np.hstack([Z, H])
            P = self._head_proba(trees, Z)
        elif want_proba:
            P = np.concatenate(parts["proba"])
            P = P / P.sum(axis=1, keepdims=True)
        if proba:
            out["proba"] = P
        if scores:
            out["energy"] = np.concatenate(parts["scores"])
            out["scores"] = self._novelty_scores(
                out["energy"], P.max(axis=1) if novelty != "energy" else None
            )
        return out

    def transform(self, X):
        """Per-star latent vector ``z = (z_e, z_r, z_a)``, averaged over segments.

        ``z_e`` is the embedding, ``z_r`` the two reconstruction-error features,
        ``z_a`` the standardised auxiliary inputs: the estimation network's
        input, for a downstream model such as
        :class:`~sklearn.ensemble.RandomForestClassifier`.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)

        Returns
        -------
        ndarray of shape (n_stars, n_latent)
        """
        return self._infer(X, proba=False, latent=True, scores=False)["latent"]

    def reconstruct(self, X):
        """Autoencoder reconstructions of every segment of every star.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)

        Returns
        -------
        list of ndarray of shape (n_segments_i, n_obs)
            Standardised magnitudes predicted at each step (0 on padding),
            to compare with ``X.sequences[i][:, :, 1]`` after the front end.
        """
        X = self._prepare(X)
        out = []
        for _, _, _, x_hat, star in self.forward_iter(X):
            counts = torch.bincount(star).tolist()
            out.extend(part.numpy() for part in torch.split(x_hat, counts))
        n_obs = X.sequences[0].shape[1]
        return [np.pad(r, ((0, 0), (0, n_obs - r.shape[1]))) for r in out]

    def fit_transform(self, X, y, **fit_params):
        """Fit, then return the per-star latent vectors of ``X`` (see ``transform``).

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)
        y : array-like of shape (n_stars,)
        **fit_params : dict
            Passed to :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_stars, n_latent)
        """
        return self.fit(X, y, **fit_params).transform(X)

    def predict_novelty(self, X):
        """Flag stars that belong to none of the known classes.

        Parameters
        ----------
        X : LightCurves or list of ndarray of shape (n_obs_i, 3)

        Returns
        -------
        ndarray of bool of shape (n_stars,)
            ``True`` where ``score_samples(X) < offset_``.
        """
        check_is_fitted(self, "offset_")
        return self.score_samples(X) < self.offset_

    def set_novelty_threshold(self, *, percentile=None, fpr=None, X=None):
        """Move the novelty threshold ``offset_``.

        Parameters
        ----------
        percentile : float, default=None
            Percentage of the reference stars whose :meth:`score_samples` a
            novel star's is below (the paper's 80 or 95, on the energy).
            Defaults to ``novelty_percentile``.
        fpr : float, default=None
            Target false-positive rate on known-class stars, in (0, 1); the
            same as ``percentile = 100 * (1 - fpr)``. Give one of the two.
        X : LightCurves, default=None
            Reference stars of the known classes. The training stars are used
            when omitted (their ``training_scores_``); held-out known stars
            give an honest false-positive rate (training energies, and the
            network head's training probabilities, are optimistic).

        Returns
        -------
        self
        """
        check_is_fitted(self, "training_scores_")
        if percentile is not None and fpr is not None:
            raise ValueError("Give percentile or fpr, not both")
        check_params(
            "set_novelty_threshold",
            {
                "percentile": [Interval(numbers.Real, 0, 100, closed="neither"), None],
                "fpr": [Interval(numbers.Real, 0, 1, closed="neither"), None],
            },
            percentile=percentile,
            fpr=fpr,
        )
        if fpr is not None:
            percentile = 100.0 * (1.0 - fpr)
        if percentile is None:
            percentile = self.novelty_percentile
        scores = self.training_scores_ if X is None else self.score_samples(X)
        self.offset_ = float(np.percentile(scores, 100.0 - percentile))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.classifier_tags.poor_score = True
        tags.non_deterministic = False
        tags.transformer_tags = TransformerTags()  # transform() gives embeddings
        return tags

    # ---------------------------------------------------------------- helpers
    def _check_params(self):
        check_estimator_params(self)

    @staticmethod
    def _prepare(X):
        """``X`` as :class:`~skdualnet.NormalizedSequences`: curves that have
        not been through a front end go through ``make_front_end(features=False,
        min_obs=2)``, segmented ones through its ``Normalizer``."""
        X = check_light_curves(X)
        if isinstance(X, NormalizedSequences):
            return X
        front = make_front_end(features=False, min_obs=2)
        if isinstance(X, SegmentedCurves):
            front = front[-1:]
        return front.fit_transform(X)

    def _rng_devices(self):
        """CUDA devices whose random state a fit must fork (and restore)."""
        device = torch.device(self.device) if self.device is not None else None
        if device is None or device.type != "cuda" or not torch.cuda.is_available():
            return []
        index = device.index
        return [index if index is not None else torch.cuda.current_device()]

    def _set_data_dims(self, X):
        """Record the auxiliary input size and draw the seeds of this fit."""
        self.n_aux_ = X.aux[0].shape[1]
        rng = check_random_state(self.random_state)
        self._torch_seed_, self._split_seed_ = (
            int(s) for s in rng.randint(0, 2**31 - 1, size=2)
        )

    def _encode_y(self, X, y, refit=True):
        if y is None:
            raise ValueError(
                "DualNetClassifier requires y to be passed, but the target y is "
                "None: give one class label per star"
            )
        y = column_or_1d(y, warn=True)
        if len(y) != len(X):
            raise ValueError(
                f"y must have one label per star: {len(X)} stars, {len(y)} labels"
            )
        check_classification_targets(y)
        if refit:
            encoder = LabelEncoder().fit(
                self.classes if self.classes is not None else y
            )
        else:
            encoder = LabelEncoder().fit(self.classes_)
        unknown = ~np.isin(y, encoder.classes_)
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise ValueError(
                f"{X.star_name(i)}: label {y[i]!r} is not one of the known classes "
                f"{list(encoder.classes_)!r}"
            )
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y has one class only ({encoder.classes_[0]!r}); DualNetClassifier "
                "needs at least 2 known classes"
            )
        encoded = encoder.transform(y).astype(np.int64)
        if refit:
            self.classes_inferred_ = encoder.classes_
            self.class_weight_ = self._class_weights(encoder.classes_, encoded)
        return encoded

    def _class_weights(self, classes, encoded):
        """Per-class cross-entropy weights from ``class_weight`` (None if unset)."""
        weight = self.class_weight
        if weight is None:
            return None
        if isinstance(weight, dict):
            unknown = set(weight) - set(classes.tolist())
            if unknown:
                raise ValueError(
                    "class_weight names labels that are not classes: "
                    f"{sorted(map(str, unknown))}; classes are {list(classes)!r}"
                )
            return np.array([float(weight.get(c, 1.0)) for c in classes])
        counts = np.bincount(encoded, minlength=len(classes))
        present = counts > 0
        out = np.ones(len(classes))
        out[present] = len(encoded) / (present.sum() * counts[present])
        return np.sqrt(out) if weight == "sqrt_balanced" else out

    def _fit_mixture(self, X, latent=False, proba=False):
        """Mixture parameters on all training segments, then the training
        stars' energy scores (from the same pass: batch by batch, as
        :meth:`score_samples` computes them). Returns the training stars'
        latent vectors (as :meth:`transform` computes them) if ``latent`` and
        the network's class probabilities (mean of the segments' memberships)
        if ``proba``, from the same pass; None for those not asked for."""
        batches, gammas, stars_z, stars_p = [], [], [], []
        total = len(X) if hasattr(X, "__len__") else None
        bar = progress(total=total, desc="scoring", verbose=self.verbose)
        for _, logits, z, _, star in self.forward_iter(X):
            batches.append((z.double(), star))
            gammas.append(torch.softmax(logits.double(), dim=1))
            if latent:
                stars_z.append(star_mean(z, star, int(star[-1]) + 1).double().numpy())
            if proba:
                stars_p.append(star_mean(gammas[-1], star, int(star[-1]) + 1).numpy())
            bar.update(int(star[-1]) + 1)
        bar.close()
        z, gamma = torch.cat([z for z, _ in batches]), torch.cat(gammas)
        weights, means, cov = gmm_parameters(z, gamma, self.criterion_.reg_covar)
        self.weights_ = weights.numpy()
        self.means_ = means.numpy()
        self.covariances_ = cov.numpy()
        self._cov_cholesky_ = np.ascontiguousarray(torch.linalg.cholesky(cov).numpy())
        chol = torch.as_tensor(self._cov_cholesky_).contiguous()
        self.training_energy_scores_ = np.concatenate(
            [
                -star_mean(
                    sample_energy(z, weights, means, cholesky=chol),
                    star,
                    int(star[-1]) + 1,
                ).numpy()
                for z, star in batches
            ]
        )
        if proba:
            P = np.concatenate(stars_p)
            P = P / P.sum(axis=1, keepdims=True)
        return (
            np.concatenate(stars_z) if latent else None,
            P if proba else None,
        )

    def _decide(self, proba):
        """Column index of each star's predicted class: the most probable,
        or with ``decision="balanced"`` the largest of ``proba *
        decision_weights_`` (models fitted before the option: the most
        probable)."""
        return decide(proba, getattr(self, "decision_weights_", None))

    def _set_training_scores(self, max_proba):
        """``training_scores_`` (and ``training_max_proba_``) from the training
        stars' energy scores and, unless ``novelty_`` is the energy, their
        highest class probabilities."""
        self.__dict__.pop("training_max_proba_", None)
        if self.novelty_ == "energy":
            self.training_scores_ = self.training_energy_scores_
            return
        self.training_max_proba_ = max_proba
        self.training_scores_ = self._novelty_scores(
            self.training_energy_scores_, max_proba
        )

    def _novelty_scores(self, energy, max_proba):
        """The ``novelty_`` score from the energy scores and the highest class
        probabilities (unused for the energy)."""
        novelty = getattr(self, "novelty_", "energy")
        if novelty == "energy":
            return energy
        if novelty == "max_proba":
            return max_proba
        return combined_score(
            energy, max_proba, self.training_energy_scores_, self.training_max_proba_
        )

    def _fit_head(self, Z, encoded):
        """Fit the boosting head on the training stars' latent vectors ``Z``."""
        if len(np.unique(encoded)) < 2:
            raise ValueError(
                'head="boosting" needs training stars of at least 2 classes; '
                f"these are all {self.classes_[encoded[0]]!r}"
            )
        booster = self._new_booster().fit(
            Z, encoded, sample_weight=self._head_sample_weight(encoded)
        )
        trees = export_trees(booster)
        trees["classes"] = booster.classes_.astype(np.int64)
        self.head_trees_ = trees

    def _new_booster(self):
        """The boosting head's unfitted scikit-learn model (its one recipe)."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=300,
            learning_rate=0.1,
            early_stopping=False,
            random_state=self._torch_seed_,
        )

    def _head_sample_weight(self, encoded):
        weights = getattr(self, "class_weight_", None)
        return None if weights is None else weights[encoded]

    def _out_of_fold_head_proba(self, Z, encoded):
        """The training stars' boosting-head probabilities, each star's from
        trees fitted without it: stratified 5-fold (fewer folds when no class
        has 5 stars), seeded like the head. A star whose fold leaves one class
        only, or a set too small for 2 folds, keeps the fitted head's
        (in-sample) probabilities."""
        proba = self._head_proba(self.head_trees_, Z)
        n_splits = min(5, int(np.bincount(encoded).max()))
        if n_splits < 2:
            return proba
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=self._torch_seed_)
        with warnings.catch_warnings():
            # small classes are spread over as many folds as they have stars
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            splits = list(folds.split(Z, encoded))
        for rows, held in splits:
            if len(np.unique(encoded[rows])) < 2:
                continue
            booster = self._new_booster().fit(
                Z[rows],
                encoded[rows],
                sample_weight=self._head_sample_weight(encoded[rows]),
            )
            proba[held] = 0.0
            proba[np.ix_(held, booster.classes_)] = booster.predict_proba(Z[held])
        return proba

    def _head_features(self, X):
        """``X.head_features``, checked against what the head was fitted on."""
        H = X.head_features
        n = getattr(self, "n_head_features_", 0)
        got = 0 if H is None else H.shape[1]
        if got != n:
            raise ValueError(
                f"the boosting head was fitted with {n} head feature(s) per star "
                f"(X.head_features) and these stars have {got}: predict with the "
                "same front end as in fit (for example ClassicalFeatures)"
            )
        return H

    def _head_proba(self, trees, Z):
        """Class probabilities of the boosting head, in ``classes_`` order (0
        for a class that had no training star)."""
        proba = np.zeros((len(Z), len(self.classes_)))
        if len(Z):
            proba[:, trees["classes"]] = predict_trees_proba(trees, Z)
        return proba


DualNetClassifier.__doc__ = DualNetClassifier.__doc__.replace(
    "{random_state}", _RANDOM_STATE_DOC
)
